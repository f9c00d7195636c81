// A visitor opens "Hello, sandbox", runs it on runc and gVisor, and sees both outputs and the timing chart.
import { expect, test } from "@playwright/test";
import { DemoPage } from "./pages/demo-page";

test("runs Hello, sandbox on runc and gVisor side by side", async ({ page }, testInfo) => {
  const external: string[] = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (!["127.0.0.1", "localhost"].includes(url.hostname) && url.protocol !== "data:")
      external.push(req.url());
  });

  const demo = new DemoPage(page);
  await demo.open("hello-sandbox");
  await demo.selectOnly(["runc", "gvisor"]);
  const clicked = Date.now();
  await demo.run();

  for (const runtime of ["runc", "gvisor"]) {
    await expect(demo.column(runtime)).toHaveAttribute("data-state", "exited");
    await demo.log(runtime).expectShows("Hello from sandbox");
  }
  const firstOutputMs = Date.now() - clicked;
  // The kernels differ: gVisor's Sentry reports its own version, runc shows the host's.
  const runcText = await demo.logText("runc").textContent();
  const gvisorText = await demo.logText("gvisor").textContent();
  expect(gvisorText).toContain("4.4.0");
  expect(runcText).not.toContain("4.4.0");
  await demo.log("gvisor").expectShows("Linux 4.4.0");

  await expect(demo.timingChart()).toBeVisible();
  await expect(demo.timingChart().locator("canvas")).toBeVisible();
  expect(external).toEqual([]);

  await page.screenshot({ path: testInfo.outputPath("hello-sandbox.png"), fullPage: true });
  await page.screenshot({ path: "test-results/hello-sandbox.png", fullPage: true });
  testInfo.annotations.push({
    type: "click-to-both-exited-ms",
    description: String(firstOutputMs),
  });
});

test("What the sandbox sees shows the sandbox's kernel, ids and interfaces", async ({ page }) => {
  const demo = new DemoPage(page);
  await demo.open("what-the-sandbox-sees");
  await demo.selectOnly(["runc", "gvisor"]);
  await demo.run();
  for (const runtime of ["runc", "gvisor"]) {
    await expect(demo.column(runtime)).toHaveAttribute("data-state", "exited");
    await demo.log(runtime).expectShows("uid=0(root)");
    await demo.log(runtime).expectShows("lo");
  }
});

test("the host page lists runtimes with their availability and versions", async ({ page }) => {
  await page.goto("/host");
  await expect(page.getByText("runc").first()).toBeVisible();
  await expect(page.getByText("gVisor").first()).toBeVisible();
});
