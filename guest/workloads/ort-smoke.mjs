// Guest workload (runs inside the node-onnx image): loads onnxruntime-node and PaddleOCR's text-line orientation
// classifier, classifies a fixed synthetic line N times (argv[2], default 20) and prints one JSON line of timings.
// Needs no network and writes nothing: it runs on a read-only root.
const startedMs = performance.now();
// Before the native library loads: onnxruntime would otherwise try to upload telemetry.
process.env.ORT_DISABLE_TELEMETRY = "1";

const modelPath = "/opt/models/ch_ppocr_mobile_v2.0_cls_infer.onnx";
const labels = ["0", "180"];
const runs = Math.max(1, Number(process.argv[2] ?? 20) || 20);

const ort = await import("onnxruntime-node");
const importedMs = performance.now();
// One thread: the figure compares sandboxes, not how many cores each one lends the thread pool.
const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
});
const loadedMs = performance.now();

const input = new ort.Tensor("float32", syntheticLine(48, 192), [1, 3, 48, 192]);
const times = [];
let probabilities = [];
for (let i = 0; i < runs; i++) {
  const before = performance.now();
  const output = await session.run({ [session.inputNames[0]]: input });
  times.push(performance.now() - before);
  probabilities = Array.from(output[session.outputNames[0]].data);
}
await session.release();

const best = probabilities.indexOf(Math.max(...probabilities));
const sorted = [...times].sort((a, b) => a - b);
const percentile = (p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (ms) => Math.round(ms * 1000) / 1000;
console.log(
  JSON.stringify({
    node: process.version,
    ort: ort.env.versions.node ?? ort.env.versions.common,
    // From the process's start: node's own start-up, then the import, then the session.
    startMs: round(startedMs),
    importMs: round(importedMs - startedMs),
    sessionMs: round(loadedMs - importedMs),
    loadMs: round(loadedMs),
    runs,
    medianMs: round(percentile(50)),
    p95Ms: round(percentile(95)),
    label: labels[best],
    score: round(probabilities[best]),
  }),
);

/** A white line with a black bar across its middle, normalised as PaddleOCR does ((x / 255 - 0.5) / 0.5), CHW. */
function syntheticLine(height, width) {
  const data = new Float32Array(3 * height * width).fill(1);
  for (let c = 0; c < 3; c++)
    for (let y = 20; y < 28; y++)
      for (let x = 16; x < width - 16; x++) data[c * height * width + y * width + x] = -1;
  return data;
}
