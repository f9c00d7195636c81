// A log pane as a person sees it: the rows the terminal has drawn, and the plain-text twin beside them.
import { expect, type Locator, type Page } from "@playwright/test";

export class LogPaneView {
  /** `pane`: the element holding one log pane (a run's column); `twin`: its plain-text log. */
  constructor(
    readonly pane: Locator,
    readonly twin: Locator,
  ) {}

  private get page(): Page {
    return this.pane.page();
  }

  terminal(): Locator {
    return this.pane.locator(".xterm-rows");
  }

  /**
   * The rows the terminal has drawn, top to bottom. xterm.js draws only while the terminal is on screen,
   * so it is scrolled into view first, as a person would look at it.
   */
  async rows(): Promise<string[]> {
    await this.terminal().scrollIntoViewIfNeeded();
    return this.terminal().evaluate((rows) =>
      Array.from(rows.children, (row) => (row.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()),
    );
  }

  /**
   * The twin holds `text`, and the terminal shows it within one drawn row (not broken across rows),
   * wherever it is in the terminal's rows: see `findRowFromTop`.
   */
  async expectShows(text: string): Promise<void> {
    await expect(this.twin).toContainText(text);
    await expect
      .poll(() => this.findRowFromTop((row) => row.includes(text)), {
        message: `a terminal row showing ${JSON.stringify(text)}`,
      })
      .toBe(true);
  }

  /** The terminal's screen, as it is now (at the bottom, after a run), shows `line` whole: one row is exactly it. */
  async expectShowsLine(line: string): Promise<void> {
    await expect
      .poll(() => this.rows(), { message: `a terminal row that is ${JSON.stringify(line)}` })
      .toContainEqual(line);
  }

  /** Whether `line` is one whole row anywhere in the terminal's rows: see `findRowFromTop`. */
  findLineFromTop(line: string): Promise<boolean> {
    return this.findRowFromTop((row) => row === line);
  }

  /**
   * Whether a row the terminal draws matches, looked for as a person would: drag the scrollbar to the
   * top, then Shift+PageDown a screen at a time until a row matches or the rows stop changing (the
   * bottom). Leaves the terminal scrolled where the row showed.
   */
  async findRowFromTop(matches: (row: string) => boolean): Promise<boolean> {
    await this.dragScrollbarToTop();
    const box = await this.terminalBox();
    // A click gives the terminal the keyboard (its input is read-only; only scrolling keys act).
    await this.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    let previous: string | null = null;
    for (;;) {
      const rows = await this.rows();
      if (rows.some(matches)) return true;
      if (rows.join("\n") === previous) return false;
      previous = rows.join("\n");
      await this.page.keyboard.press("Shift+PageDown");
      await this.nextFrames();
    }
  }

  private async dragScrollbarToTop(): Promise<void> {
    const box = await this.terminalBox();
    // The scrollbar shows while the pointer is over the terminal.
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const slider = this.pane.locator(".xterm-scrollable-element > .scrollbar.vertical > .slider");
    const thumb = await slider.boundingBox();
    if (!thumb) return; // Everything fits on one screen: nothing to scroll.
    await this.page.mouse.move(thumb.x + thumb.width / 2, thumb.y + thumb.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(thumb.x + thumb.width / 2, box.y - 100, { steps: 5 });
    await this.page.mouse.up();
    await this.nextFrames();
  }

  private async terminalBox(): Promise<{ x: number; y: number; width: number; height: number }> {
    await this.terminal().scrollIntoViewIfNeeded();
    const box = await this.terminal().boundingBox();
    if (!box) throw new Error("The terminal is not on the page");
    return box;
  }

  /** xterm draws the rows scrolled to on the next animation frame. */
  private async nextFrames(): Promise<void> {
    await this.page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
  }
}
