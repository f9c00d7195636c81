// A visitor fires requests at the serverless function on runc, each in a fresh container, and reads the figures.
import { expect, test } from "@playwright/test";
import { ServerlessPage } from "./pages/serverless-page";

test("serves the function from fresh runc containers and charts the latencies", async ({
  page,
}, testInfo) => {
  const serverless = new ServerlessPage(page);
  await serverless.open();
  await expect(page.getByTestId("function-source")).toContainText("base64 -d");
  // This host has no cluster: the Knative targets say so, and how to give it one.
  const knative = page.getByTestId("knative-status");
  await expect(knative).toHaveAttribute("data-state", "off");
  await expect(knative).toContainText("Not offered here: no Kubernetes cluster is configured.");
  await expect(knative).toContainText("To enable: Set SBPG_KUBECONFIG");

  await serverless.selectOnly(["runc"]);
  await serverless.setLoad({ requests: 6, concurrency: 2, mode: "cold" });
  await serverless.run();

  const row = serverless.result("runc");
  await expect(row).toHaveAttribute("data-phase", "done");
  await expect(row).toContainText("6/6 done");
  await expect(row).toHaveAttribute("data-errors", "0");
  const figures = await Promise.all(
    ["data-p50", "data-p95", "data-max", "data-throughput"].map(async (name) =>
      Number(await row.getAttribute(name)),
    ),
  );
  for (const value of figures) expect(value).toBeGreaterThan(0);
  const [p50, p95, max] = figures;
  expect(p50).toBeLessThanOrEqual(p95);
  expect(p95).toBeLessThanOrEqual(max);
  await expect(serverless.result("gvisor")).toHaveCount(0);

  await expect(serverless.latencyChart().locator("canvas")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("serverless.png"), fullPage: true });
  await page.screenshot({ path: "test-results/serverless.png", fullPage: true });
});

test("says what to change when the load is out of range", async ({ page }) => {
  const serverless = new ServerlessPage(page);
  await serverless.open();
  await page.getByTestId("serverless-requests").fill("101");
  await expect(page.getByText("The number of requests is at most 100.")).toBeVisible();
  await expect(page.getByTestId("serverless-run")).toBeDisabled();
});
