// Page object for a demo page's recordings: save a run's recording, load one, and read the replay.
import { readFile } from "node:fs/promises";
import { expect, type Locator } from "@playwright/test";
import { DemoPage } from "./demo-page";

export class ReplayPage extends DemoPage {
  /** Clicks "Save recording" on a finished run and returns the downloaded file's name and text. */
  async saveRecording(runtime: string): Promise<{ name: string; text: string }> {
    const download = this.page.waitForEvent("download");
    await this.page.getByTestId(`save-recording-${runtime}`).click();
    const file = await download;
    const text = await readFile(await file.path(), "utf8");
    await expect(this.page.getByTestId(`save-recording-status-${runtime}`)).toContainText(
      "kept in this browser",
    );
    return { name: file.suggestedFilename(), text };
  }

  async loadRecording(file: string): Promise<void> {
    await this.page.getByTestId("load-recording").setInputFiles(file);
    await expect(this.page.getByTestId("load-recording-status")).toContainText("Loaded");
  }

  banner(): Locator {
    return this.page.getByTestId("replay-banner");
  }

  recordingLabel(runtime: string): Locator {
    return this.page.getByTestId(`recording-label-${runtime}`);
  }

  /**
   * Notes, in the page, the moment each text first shows in the runtime's log (a MutationObserver fires as the DOM
   * changes, so a busy test machine cannot delay the reading). Call before Run; await the result after.
   */
  async watchLogFor(runtime: string, texts: string[]): Promise<() => Promise<number[]>> {
    await this.page.evaluate(
      ({ testId, texts }) => {
        const seen: Record<string, number> = {};
        const check = () => {
          const log = document.querySelector(`[data-testid="${testId}"]`)?.textContent ?? "";
          for (const text of texts)
            if (!(text in seen) && log.includes(text)) seen[text] = performance.now();
        };
        new MutationObserver(check).observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
        });
        (window as unknown as { logTimes: Record<string, number> }).logTimes = seen;
      },
      { testId: `log-text-${runtime}`, texts },
    );
    return async () => {
      const handle = await this.page.waitForFunction(
        (texts) => {
          const seen = (window as unknown as { logTimes: Record<string, number> }).logTimes;
          return texts.every((text) => text in seen) ? texts.map((text) => seen[text]) : false;
        },
        texts,
        { timeout: 20_000 },
      );
      return (await handle.jsonValue()) as number[];
    };
  }
}
