// Page object for a demo page: pick runtimes, run, read each runtime's column.
import { expect, type Locator, type Page } from "@playwright/test";
import { selectOnlyRuntimes } from "./runtime-picker";

export class DemoPage {
  constructor(private readonly page: Page) {}

  async open(slug: string): Promise<void> {
    await this.page.goto(`/demos/${slug}`);
    await expect(this.page.getByTestId("run-button")).toBeEnabled();
  }

  selectOnly(runtimes: string[]): Promise<void> {
    return selectOnlyRuntimes(this.page, runtimes);
  }

  async run(): Promise<void> {
    await this.page.getByTestId("run-button").click();
  }

  column(runtime: string): Locator {
    return this.page.getByTestId(`run-column-${runtime}`);
  }

  logText(runtime: string): Locator {
    return this.page.getByTestId(`log-text-${runtime}`);
  }

  timingChart(): Locator {
    return this.page.getByTestId("timing-chart");
  }
}
