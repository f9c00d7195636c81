// Times model loads, the orientation classifier and the OCR pipeline on a generated line; prints medians as JSON.
// Run: node --import tsx server/vaccel/inference/inference-bench.ts [runs]
import { renderTextLine } from "../../../lib/images/bitmap-font";
import { decodeImage, encodePng } from "./image-codec";
import { recognizeText } from "./ocr-pipeline";
import { type OcrModelName, OcrModels } from "./ocr-models";
import { classifyOrientation } from "./orientation";

const TEXT = "HELLO 2026";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(value * 100) / 100;
}

export async function benchmarkInference(runs = 10) {
  const png = encodePng(renderTextLine(TEXT));
  const load: Record<OcrModelName, number[]> = { cls: [], det: [], rec: [] };
  for (let i = 0; i < runs; i++) {
    const fresh = new OcrModels();
    for (const name of ["cls", "det", "rec"] as const) load[name].push(await fresh.load(name));
    await fresh.release();
  }

  const models = new OcrModels();
  const image = decodeImage(png);
  await classifyOrientation(models, image);
  await recognizeText(models, image, { fixOrientation: false });
  const cls = { run: [] as number[], call: [] as number[] };
  const ocr = { det: [] as number[], rec: [] as number[], call: [] as number[] };
  let text = "";
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const orientation = await classifyOrientation(models, decodeImage(png));
    cls.call.push(performance.now() - started);
    cls.run.push(orientation.ms);
    const result = await recognizeText(models, decodeImage(png), { fixOrientation: false });
    ocr.det.push(result.timings.detMs);
    ocr.rec.push(result.timings.recMs);
    ocr.call.push(result.timings.totalMs);
    text = result.text;
  }
  await models.release();
  return {
    text,
    runs,
    loadMs: { cls: median(load.cls), det: median(load.det), rec: median(load.rec) },
    clsMs: { sessionRun: median(cls.run), decodeToLabel: median(cls.call) },
    ocrMs: { det: median(ocr.det), rec: median(ocr.rec), pipeline: median(ocr.call) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchmarkInference(Number(process.argv[2] ?? 10))));
}
