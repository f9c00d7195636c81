// A visitor compares a container, gVisor and the built-in VM: three kernels, the VM's boot log, memory per sandbox.
import { expect, test } from "@playwright/test";
import { DemoPage } from "./pages/demo-page";

test("runs Containers vs VMs on runc, gVisor and the microVM", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const demo = new DemoPage(page);
  await demo.open("containers-vs-vms");
  await demo.selectOnly(["runc", "gvisor", "microvm"]);
  const launched: string[] = [];
  page.on("response", async (response) => {
    if (response.request().method() === "POST" && new URL(response.url()).pathname === "/api/runs")
      launched.push((await response.json()).id);
  });
  await demo.run();

  for (const runtime of ["runc", "gvisor", "microvm"]) {
    await expect(demo.column(runtime)).toHaveAttribute("data-state", "exited", { timeout: 60_000 });
  }
  const kernelOf = async (runtime: string) =>
    /^kernel: (.+)$/m.exec((await demo.logText(runtime).textContent()) ?? "")?.[1]?.trim();
  const kernels = await Promise.all(["runc", "gvisor", "microvm"].map(kernelOf));
  expect(new Set(kernels).size).toBe(3);
  for (const [i, runtime] of ["runc", "gvisor", "microvm"].entries())
    await demo.log(runtime).expectShows(`kernel: ${kernels[i]}`);
  // The VM's column shows its kernel booting, line by line, before the workload's lines.
  await demo.log("microvm").expectShows("Linux version");
  await expect(demo.column("microvm")).toContainText("QEMU microVM, built in");
  for (const runtime of ["runc", "gvisor", "microvm"]) {
    await expect(page.getByTestId(`memory-${runtime}`)).toContainText("RSS");
  }
  await expect(demo.timingChart().locator("canvas")).toBeVisible();
  // The chart names the path the VM took, as the run's own phases say (its canvas's accessible name carries
  // the row labels it draws): the playground's default keeps a pool VM ready and a snapshot saved.
  const runs = await Promise.all(
    launched.map(async (id) => (await page.request.get(`/api/runs/${id}`)).json()),
  );
  const { timings } = runs.find((run) => run.runtime === "microvm");
  const vmPath =
    timings.poolClaimed !== undefined
      ? "pooled"
      : timings.restored !== undefined
        ? "restored"
        : "cold boot";
  await expect(demo.timingChart().locator("canvas")).toHaveAccessibleName(
    new RegExp(`QEMU microVM, built in \\(${vmPath}\\): `),
  );
  // Containers have no VM path.
  await expect(demo.timingChart().locator("canvas")).toHaveAccessibleName(/runc: .*gVisor: /);
  await page.screenshot({ path: testInfo.outputPath("containers-vs-vms.png"), fullPage: true });
  await page.screenshot({ path: "test-results/containers-vs-vms.png", fullPage: true });
});
