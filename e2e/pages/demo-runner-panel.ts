// The demo runner as every page that embeds it shows it (demo pages, the lab, the presenter view):
// pick runtimes, run, read each runtime's column.
import type { Locator, Page } from "@playwright/test";

/** Ticks exactly these runtimes (unavailable ones stay disabled); the serverless page uses the same checkboxes. */
export async function selectOnlyRuntimes(page: Page, runtimes: string[]): Promise<void> {
  for (const toggle of await page.locator('[data-testid^="runtime-toggle-"]').all()) {
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

  logText(runtime: string): Locator {
    return this.page.getByTestId(`log-text-${runtime}`);
  }

  timingChart(): Locator {
    return this.page.getByTestId("timing-chart");
  }
}
