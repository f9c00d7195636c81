// Page object for the vAccel page: choose op, input and modes, run, read each mode's row and the verdict.
import { expect, type Locator, type Page } from "@playwright/test";
import type { InferOp } from "../../lib/api/vaccel";

export class VaccelPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/vaccel");
    await expect(this.page.getByTestId("vaccel-run")).toBeEnabled();
  }

  async chooseOp(op: InferOp): Promise<void> {
    await this.page.getByTestId(`vaccel-op-${op}`).check();
  }

  /** SGEMM's N or MINMAX's count. */
  async setSize(size: number): Promise<void> {
    await this.page.getByTestId("vaccel-size").fill(String(size));
  }

  async setVmIterations(iterations: number): Promise<void> {
    await this.page.getByTestId("vaccel-vm-iterations").fill(String(iterations));
  }

  modeToggle(mode: string): Locator {
    return this.page.getByTestId(`vaccel-mode-${mode}`);
  }

  /** Why a mode cannot run, or what computes it: the line under its checkbox. */
  modeHint(mode: string): Locator {
    return this.page.locator(`#vaccel-mode-${mode}-hint`);
  }

  /** Where offloaded modes go: "playground" (its own agent) or "host" (VACCEL_RPC_ADDRESS's vaccel-rpc-agent). */
  agentChoice(agent: "playground" | "host"): Locator {
    return this.page.getByTestId(`vaccel-agent-${agent}`);
  }

  /** Why an agent cannot be chosen, or how to configure it. */
  agentHint(agent: "playground" | "host"): Locator {
    return this.page.locator(`#vaccel-agent-${agent}-hint`);
  }

  /** The results' line naming the agent that answered the offloaded modes. */
  agentUsed(): Locator {
    return this.page.getByTestId("vaccel-agent-used");
  }

  async generateText(text: string, options: { upsideDown?: boolean } = {}): Promise<void> {
    await this.page.getByTestId("vaccel-input-text").check();
    await this.page.getByTestId("vaccel-text").fill(text);
    await this.page.getByTestId("vaccel-rotate").setChecked(options.upsideDown ?? false);
  }

  async upload(file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await this.page.getByTestId("vaccel-input-upload").check();
    await this.page.getByTestId("vaccel-upload").setInputFiles(file);
  }

  async setIterations(iterations: number): Promise<void> {
    await this.page.getByTestId("vaccel-iterations").fill(String(iterations));
  }

  /** Ticks exactly these modes; those the host cannot run stay disabled. */
  async selectOnlyModes(modes: string[]): Promise<void> {
    for (const toggle of await this.page.locator('[data-testid^="vaccel-mode-"]').all()) {
      const id = (await toggle.getAttribute("data-testid"))!.replace("vaccel-mode-", "");
      if (await toggle.isDisabled()) {
        expect(modes, `${id} is unavailable on this host`).not.toContain(id);
        continue;
      }
      await toggle.setChecked(modes.includes(id));
    }
  }

  async run(): Promise<void> {
    await this.page.getByTestId("vaccel-run").click();
  }

  result(mode: string): Locator {
    return this.page.getByTestId(`vaccel-result-${mode}`);
  }

  /** Waits for the mode's row to finish; fails with the row's text (its error) if it did not succeed. */
  async waitForDone(mode: string, timeout: number): Promise<Locator> {
    const row = this.result(mode);
    await expect(row).toHaveAttribute("data-state", /^(done|failed|stopped|skipped)$/, { timeout });
    expect(await row.getAttribute("data-state"), await row.innerText()).toBe("done");
    return row;
  }

  async figures(mode: string): Promise<{ median: number; p95: number; answer: string }> {
    const row = this.result(mode);
    return {
      median: Number(await row.getAttribute("data-median")),
      p95: Number(await row.getAttribute("data-p95")),
      answer: (await row.getAttribute("data-result")) ?? "",
    };
  }

  /** The answer as the row shows it. */
  answerCell(mode: string): Locator {
    return this.result(mode).getByTestId("vaccel-answer");
  }

  /** The row's cells as shown: mode, status, start, node, load, median, p95, RPC overhead, answer. */
  async shownFigures(mode: string): Promise<{ median: string; overhead: string }> {
    const cells = this.result(mode).locator("td");
    return { median: await cells.nth(5).innerText(), overhead: await cells.nth(7).innerText() };
  }

  speedups(): Locator {
    return this.page.getByTestId("vaccel-speedups");
  }

  agreement(): Locator {
    return this.page.getByTestId("vaccel-agreement");
  }

  chart(): Locator {
    return this.page.getByTestId("vaccel-chart");
  }

  acceleratorNote(): Locator {
    return this.page.getByTestId("vaccel-accelerator");
  }
}
