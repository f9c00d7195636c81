// Page object for the serverless page: pick runtimes and load, run, read each runtime's result row.
import { expect, type Locator, type Page } from "@playwright/test";
import { selectOnlyRuntimes } from "./demo-runner-panel";

export class ServerlessPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/serverless");
    await expect(this.page.getByTestId("serverless-run")).toBeEnabled();
  }

  selectOnly(runtimes: string[]): Promise<void> {
    return selectOnlyRuntimes(this.page, runtimes);
  }

  async setLoad(load: { requests: number; concurrency: number; mode: "cold" | "warm" }) {
    await this.page.getByTestId("serverless-requests").fill(String(load.requests));
    await this.page.getByTestId("serverless-concurrency").fill(String(load.concurrency));
    await this.page.getByTestId(`serverless-mode-${load.mode}`).check();
  }

  async run(): Promise<void> {
    await this.page.getByTestId("serverless-run").click();
  }

  result(runtime: string): Locator {
    return this.page.getByTestId(`serverless-result-${runtime}`);
  }

  latencyChart(): Locator {
    return this.page.getByTestId("latency-chart");
  }
}
