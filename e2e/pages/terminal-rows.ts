// What a visitor sees in an xterm.js terminal: its rendered rows, read from the page.
import { expect, type Locator } from "@playwright/test";

/** The rows xterm rendered, one string per row. */
export async function terminalRows(terminal: Locator): Promise<string[]> {
  return terminal
    .locator(".xterm-rows > div")
    .evaluateAll((rows) => rows.map((row) => (row.textContent ?? "").replace(/\u00a0/g, " ")));
}

export async function expectTerminalRow(
  terminal: Locator,
  pattern: RegExp,
  timeout?: number,
): Promise<void> {
  await expect
    .poll(async () => (await terminalRows(terminal)).some((row) => pattern.test(row.trim())), {
      timeout,
    })
    .toBe(true);
}
