// Both pages pick runtimes with the same checkboxes: tick exactly these (unavailable ones stay disabled).
import type { Page } from "@playwright/test";

export async function selectOnlyRuntimes(page: Page, runtimes: string[]): Promise<void> {
  for (const toggle of await page.locator('[data-testid^="runtime-toggle-"]').all()) {
    const id = (await toggle.getAttribute("data-testid"))!.replace("runtime-toggle-", "");
    if (await toggle.isDisabled()) continue;
    await toggle.setChecked(runtimes.includes(id));
  }
}
