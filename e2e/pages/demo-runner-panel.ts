// The demo runner as every page that embeds it shows it (demo pages, the lab, the presenter view):
// pick runtimes, run, read each runtime's column.
import { expect, type Locator, type Page } from "@playwright/test";
import { LogPaneView } from "./log-pane-view";

/** Ticks exactly these runtimes (unavailable ones stay disabled); the serverless page uses the same checkboxes. */
export async function selectOnlyRuntimes(page: Page, runtimes: string[]): Promise<void> {
  const toggles = page.locator('[data-testid^="runtime-toggle-"]');
  // The list arrives from GET /api/runtimes, slow on a server that is still probing its runtimes:
  // ticking before it is there would tick nothing.
  await expect(toggles.first()).toBeVisible();
  for (const toggle of await toggles.all()) {
    const id = (await toggle.getAttribute("data-testid"))!.replace("runtime-toggle-", "");
    if (await toggle.isDisabled()) continue;
    await toggle.setChecked(runtimes.includes(id));
  }
}

export class DemoRunnerPanel {
  constructor(readonly page: Page) {}

  selectOnly(runtimes: string[]): Promise<void> {
    return selectOnlyRuntimes(this.page, runtimes);
  }

  async run(): Promise<void> {
    await this.page.getByTestId("run-button").click();
  }

  column(runtime: string): Locator {
    return this.page.getByTestId(`run-column-${runtime}`);
  }

  columns(): Locator {
    return this.page.locator('[data-testid^="run-column-"]');
  }

  /** The column's plain-text log, which holds the output whichever view is shown. */
  logText(runtime: string): Locator {
    return this.page.getByTestId(`log-text-${runtime}`);
  }

  /** The column's log as it is seen: the terminal's drawn rows as well as the plain-text log. */
  log(runtime: string): LogPaneView {
    return new LogPaneView(this.column(runtime), this.logText(runtime));
  }

  timingChart(): Locator {
    return this.page.getByTestId("timing-chart");
  }
}
