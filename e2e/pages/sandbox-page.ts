// Page object for /sandbox: start a session, type into the rendered terminal, read its rows and the host view.
import { expect, type Locator, type Page } from "@playwright/test";
import { expectTerminalRow, terminalRows } from "./terminal-rows";

export class SandboxPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/sandbox");
    await expect(this.page.getByTestId("start-session")).toBeEnabled();
  }

  /** `timeout`: how long the sandbox may take to boot (a microVM under TCG takes seconds). */
  async start(runtimeName: string, timeout?: number): Promise<void> {
    await this.page.getByRole("radio", { name: new RegExp(`^${runtimeName}`) }).check();
    await this.page.getByTestId("start-session").click();
    await expect(this.terminal()).toBeVisible({ timeout });
    await expect(this.page.getByTestId("terminal-status")).toHaveText(/^Connected/);
  }

  terminal(): Locator {
    return this.page.getByTestId("interactive-terminal");
  }

  /** One session's pane (its terminals and host view), by runtime id. */
  pane(runtime: string): Locator {
    return this.page.getByTestId(`session-pane-${runtime}`);
  }

  /** The tab's sessions and their terminals, as the page keeps them for a reload. */
  async saved(): Promise<Array<{ sessionId: string; terminalIds: string[] }>> {
    return this.page.evaluate(() =>
      JSON.parse(sessionStorage.getItem("sbpg-sandbox-sessions") ?? "[]"),
    );
  }

  /** The rows xterm rendered, one string per row, as the visitor sees them. */
  async rows(): Promise<string[]> {
    return terminalRows(this.terminal());
  }

  async type(text: string): Promise<void> {
    await this.terminal().click();
    await this.page.keyboard.type(text);
  }

  async expectRow(pattern: RegExp, timeout?: number): Promise<void> {
    await expectTerminalRow(this.terminal(), pattern, timeout);
  }
}
