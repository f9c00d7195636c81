// A visitor runs OCR of a generated line natively and from inside the microVM through vAccel, and the page shows
// the same, right answer from both, with their timings and what computed them.
import { expect, test } from "@playwright/test";
import { renderTextLine } from "../lib/images/bitmap-font";
import { encodePng } from "../server/vaccel/inference/image-codec";
import type { RgbImage } from "../lib/images/rgb-image";
import { VaccelPage } from "./pages/vaccel-page";

const TEXT = "HELLO 2026";

test("reads a generated line through vAccel from inside the microVM, the same as natively", async ({
  page,
}, testInfo) => {
  test.setTimeout(90_000);
  const vaccel = new VaccelPage(page);
  await vaccel.open();
  await expect(vaccel.acceleratorNote()).toContainText("There is no GPU on this host");
  await expect(vaccel.acceleratorNote()).toContainText("execution provider cpu");
  await expect(vaccel.acceleratorNote()).toContainText(
    "vaccel-rust v0.5.0+vaccel.0.8.0 (commit 419c11b)",
  );

  await expect(vaccel.agentChoice("playground")).toBeChecked();
  if (!process.env.VACCEL_RPC_ADDRESS && !process.env.VACCEL_RPC_ADDR) {
    await expect(vaccel.agentChoice("host")).toBeDisabled();
    await expect(vaccel.agentHint("host")).toContainText(
      "Not configured: start the server with VACCEL_RPC_ADDRESS",
    );
  }

  await vaccel.chooseOp("ocr");
  await vaccel.generateText(TEXT);
  await vaccel.setIterations(2);
  await vaccel.selectOnlyModes(["native", "microvm-vaccel"]);
  await vaccel.run();

  await vaccel.waitForDone("native", 30_000);
  const vm = await vaccel.waitForDone("microvm-vaccel", 60_000);
  const native = await vaccel.figures("native");
  const offloaded = await vaccel.figures("microvm-vaccel");
  expect(native.answer).toBe(TEXT);
  expect(offloaded.answer).toBe(TEXT);
  for (const { median, p95 } of [native, offloaded]) {
    expect(median).toBeGreaterThan(0);
    expect(p95).toBeGreaterThanOrEqual(median);
  }
  await expect(vm.getByTestId("vaccel-backend")).toContainText("virtio-serial");
  await expect(vm.getByTestId("vaccel-backend")).toContainText(
    "answered by the playground's agent",
  );
  await expect(vaccel.agentUsed()).toContainText(
    "Offloaded modes were answered by the playground's agent: onnxruntime-node",
  );
  await expect(vaccel.agreement()).toHaveAttribute("data-agreement", "agree");
  await expect(vaccel.agreement()).toContainText(`All modes agree: "${TEXT}" (2 modes)`);
  await expect(vaccel.agreement()).toContainText("That is what was rendered.");
  await expect(vaccel.result("runc-cpu")).toHaveCount(0);
  await expect(vaccel.chart().locator("canvas")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("vaccel.png"), fullPage: true });
});

test("an upside-down line reaches containers as image bytes and reads 180° there as natively", async ({
  page,
}) => {
  const vaccel = new VaccelPage(page);
  await vaccel.open();
  await vaccel.chooseOp("classify");
  await vaccel.generateText(TEXT, { upsideDown: true });
  await vaccel.setIterations(3);
  await vaccel.selectOnlyModes(["native", "runc-cpu", "runc-vaccel"]);
  await vaccel.run();

  for (const mode of ["native", "runc-cpu", "runc-vaccel"]) {
    await vaccel.waitForDone(mode, 30_000);
    expect((await vaccel.figures(mode)).answer).toMatch(/^180° /);
  }
  await expect(vaccel.agreement()).toContainText('All modes agree: "180°" (3 modes)');
  await expect(page.getByTestId("vaccel-speedups")).toContainText(
    "runc: offloading took the median inference from",
  );
});

test("an uploaded image too large to send is shrunk in the browser and still reads right", async ({
  page,
}) => {
  const vaccel = new VaccelPage(page);
  await vaccel.open();
  // 1608x360 pixels with grain, like a photo: over the 960-pixel side the page sends, and well over 40 kB.
  const png = encodePng(withGrain(renderTextLine(TEXT, { scale: 24 })));
  expect(png.length).toBeGreaterThan(40_000);
  await vaccel.chooseOp("ocr");
  await vaccel.upload({ name: "hello.png", mimeType: "image/png", buffer: png });
  await expect(page.getByText(/^Ready: 960×215 (PNG|JPEG)/)).toBeVisible();
  await vaccel.setIterations(1);
  await vaccel.selectOnlyModes(["native", "runc-vaccel"]);
  await vaccel.run();

  await vaccel.waitForDone("native", 30_000);
  await vaccel.waitForDone("runc-vaccel", 30_000);
  expect((await vaccel.figures("native")).answer).toBe(TEXT);
  await expect(vaccel.agreement()).toContainText(`All modes agree: "${TEXT}"`);
});

test("an SGEMM offloaded from the microVM is verified there and beats the VM's own CPU", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const vaccel = new VaccelPage(page);
  await vaccel.open();
  await vaccel.chooseOp("sgemm");
  await vaccel.setSize(256);
  await vaccel.setIterations(3);
  await vaccel.setVmIterations(1);
  await vaccel.selectOnlyModes(["native", "microvm-vaccel", "microvm-cpu"]);
  await vaccel.run();

  const verified = /^256×256×256 sgemm: sum\(C\) -?\d+\.\d{3}, 8\/8 spot elements verified/;
  for (const mode of ["native", "microvm-vaccel", "microvm-cpu"]) {
    await vaccel.waitForDone(mode, 120_000);
    await expect(vaccel.answerCell(mode)).toHaveText(verified);
  }
  await expect(vaccel.agreement()).toHaveAttribute("data-agreement", "agree");
  await expect(vaccel.agreement()).toContainText("All modes agree");
  await expect(vaccel.agreement()).toContainText("(3 modes)");
  const offloaded = await vaccel.figures("microvm-vaccel");
  const onVmCpu = await vaccel.figures("microvm-cpu");
  expect(offloaded.median).toBeLessThan(onVmCpu.median);
  await expect(vaccel.speedups()).toContainText(
    /microVM: offloading took the median inference from .+ to .+ \(\d+(\.\d+)?× faster\)/,
  );
});

test("a NOOP measures the round trip alone: offered through vAccel, not on a sandbox's CPU", async ({
  page,
}) => {
  const vaccel = new VaccelPage(page);
  await vaccel.open();
  await vaccel.chooseOp("noop");
  await expect(page.getByText("NOOP has no input and nothing to compute on a CPU")).toBeVisible();
  await expect(vaccel.modeToggle("runc-cpu")).toBeDisabled();
  await expect(vaccel.modeHint("runc-cpu")).toContainText("NOOP computes nothing");
  await vaccel.setIterations(20);
  await vaccel.selectOnlyModes(["native", "runc-vaccel"]);
  await vaccel.run();

  for (const mode of ["native", "runc-vaccel"]) {
    await vaccel.waitForDone(mode, 30_000);
    await expect(vaccel.answerCell(mode)).toContainText(
      "no-op: nothing computed, nothing returned",
    );
    await expect(vaccel.answerCell(mode)).toContainText("20 runs");
  }
  // The round trip over a bind-mounted unix socket: a fraction of a millisecond to a few, shown as such.
  const shown = await vaccel.shownFigures("runc-vaccel");
  expect(shown.median).toMatch(/^\d+\.\d+ ms$/);
  expect(shown.overhead).toMatch(/^\+\d+\.\d+ ms$/);
  expect((await vaccel.figures("runc-vaccel")).median).toBeLessThan(20);
});

test("says what to change for text the font cannot draw", async ({ page }) => {
  const vaccel = new VaccelPage(page);
  await vaccel.open();
  await vaccel.generateText("HELLO_2026");
  await expect(page.getByText(/the built-in font draws only/)).toBeVisible();
  await expect(page.getByTestId("vaccel-run")).toBeDisabled();
});

/** Deterministic noise of ±24 levels on every channel: PNG cannot compress it away. */
function withGrain(image: RgbImage): RgbImage {
  let seed = 1;
  const data = image.data.map((value) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.max(0, Math.min(255, value + (seed % 49) - 24));
  });
  return { ...image, data };
}
