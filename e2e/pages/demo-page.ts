// Page object for a demo page: pick runtimes, run, read each runtime's column.
import { expect } from "@playwright/test";
import { DemoRunnerPanel } from "./demo-runner-panel";

export class DemoPage extends DemoRunnerPanel {
  async open(slug: string): Promise<void> {
    await this.page.goto(`/demos/${slug}`);
    await expect(this.page.getByTestId("run-button")).toBeEnabled();
  }
}
