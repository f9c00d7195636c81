// Page object for a lab (a demo with checked steps): start its sessions, read the steps' states, the hint and the shells.
import { expect, type Locator, type Page } from "@playwright/test";
import { expectTerminalRow } from "./terminal-rows";

export class LabStepsPage {
  constructor(readonly page: Page) {}

  async open(slug: string): Promise<void> {
    await this.page.goto(`/demos/${slug}`);
    await expect(this.page.getByTestId("lab-progress")).toContainText(/steps done|Done/);
  }

  async startSessions(runtimes: string[]): Promise<void> {
    await this.page.getByTestId("start-lab-sessions").click();
    for (const runtime of runtimes)
      await expect(this.shell(runtime).getByTestId("terminal-status")).toHaveText(/Connected/, {
        timeout: 60_000,
      });
  }

  /** The step list's entry, whose data-state is the step's state as the server keeps it. */
  stepItem(index: number): Locator {
    return this.page.getByTestId("lab-step").nth(index);
  }

  currentStep(): Locator {
    return this.page.getByTestId("lab-current-step");
  }

  shell(runtime: string): Locator {
    return this.page.getByTestId(`lab-terminal-${runtime}`);
  }

  async expectRow(runtime: string, pattern: RegExp): Promise<void> {
    await expectTerminalRow(
      this.shell(runtime).getByTestId("interactive-terminal"),
      pattern,
      20_000,
    );
  }
}
