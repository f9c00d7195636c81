// Page object for /sandbox: start a session, type into the rendered terminal, read its rows and the host view.
import { expect, type Locator, type Page } from "@playwright/test";

export class SandboxPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/sandbox");
    await expect(this.page.getByTestId("start-session")).toBeEnabled();
  }

  async start(runtimeName: string): Promise<void> {
    await this.page.getByRole("radio", { name: new RegExp(`^${runtimeName}`) }).check();
    await this.page.getByTestId("start-session").click();
    await expect(this.terminal()).toBeVisible();
    await expect(this.page.getByTestId("terminal-status")).toHaveText(/^Connected/);
  }

  terminal(): Locator {
    return this.page.getByTestId("interactive-terminal");
  }

  /** The rows xterm rendered, one string per row, as the visitor sees them. */
  async rows(): Promise<string[]> {
    return this.terminal()
      .locator(".xterm-rows > div")
      .evaluateAll((rows) => rows.map((row) => (row.textContent ?? "").replace(/\u00a0/g, " ")));
  }

  async type(text: string): Promise<void> {
    await this.terminal().click();
    await this.page.keyboard.type(text);
  }

  async expectRow(pattern: RegExp): Promise<void> {
    await expect
      .poll(async () => (await this.rows()).some((row) => pattern.test(row.trim())))
      .toBe(true);
  }
}
