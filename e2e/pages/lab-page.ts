// Page object for the lab: edit the script in Monaco, set the sandbox's limits, run, read each runtime's column.
import { expect, type Locator } from "@playwright/test";
import { DemoRunnerPanel } from "./demo-runner-panel";

export type LabLimit = "Time limit" | "Memory" | "Processes" | "Output";

export class LabPage extends DemoRunnerPanel {
  /** `query`: e.g. "?demo=hello-sandbox". Resolves once Monaco and the host's limits are on the page. */
  async open(query = ""): Promise<void> {
    await this.page.goto(`/lab${query}`);
    await this.waitUntilReady();
  }

  async waitUntilReady(): Promise<void> {
    await expect(this.editor().locator(".monaco-editor .view-lines")).toBeVisible();
    await expect(this.limit("Memory")).toBeVisible();
    await expect(this.page.getByTestId("run-button")).toBeEnabled();
  }

  editor(): Locator {
    return this.page.getByTestId("code-editor");
  }

  /** The text Monaco shows (it renders spaces as no-break spaces). */
  async editorText(): Promise<string> {
    const text = await this.editor().locator(".view-lines").innerText();
    return text.replace(/\u00a0/g, " ");
  }

  /** Types into Monaco as a visitor does: select everything, then type over it. */
  async typeScript(script: string): Promise<void> {
    await this.selectAllInEditor();
    await this.page.keyboard.press("Delete");
    // A visitor's pace: Monaco handles each key (auto-closing brackets, suggestions) as it arrives.
    await this.page.keyboard.type(script, { delay: 40 });
  }

  /** Replaces the script in one input event (a paste): typing 16 KiB key by key takes minutes. */
  async pasteScript(script: string): Promise<void> {
    await this.selectAllInEditor();
    await this.page.keyboard.insertText(script);
  }

  private async selectAllInEditor(): Promise<void> {
    await this.editor().locator(".view-lines").click();
    await this.page.keyboard.press("ControlOrMeta+A");
  }

  limit(label: LabLimit): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  async setLimit(label: LabLimit, value: string): Promise<void> {
    await this.limit(label).fill(value);
  }

  /** The message under a limit field (its error paragraph). */
  limitError(label: LabLimit): Locator {
    const ids: Record<LabLimit, string> = {
      "Time limit": "lab-timeoutSeconds",
      Memory: "lab-memoryMiB",
      Processes: "lab-pids",
      Output: "lab-outputKiB",
    };
    return this.page.locator(`#${ids[label]}-error`);
  }

  scriptError(): Locator {
    return this.page.getByTestId("lab-script-error");
  }

  blockedMessage(): Locator {
    return this.page.getByTestId("lab-blocked");
  }
}
