// What a visitor sees in an xterm.js terminal: its rendered rows, read from the page.
import { expect, type Locator } from "@playwright/test";

/**
 * The rows xterm rendered, one string per row, once the terminal is scrolled into view as a visitor would to read
 * it: xterm draws only while it is on screen, so the rows of one below the fold are what it drew when last seen.
 */
export async function terminalRows(terminal: Locator): Promise<string[]> {
  await terminal.scrollIntoViewIfNeeded();
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
