// runInference with the real models, on this CPU and offloaded to an in-test agent over a unix socket.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaccelAgent } from "../../server/vaccel/agent/vaccel-agent";
import { OnnxBackend } from "../../server/vaccel/backends/onnx-backend";
import { renderTextLine } from "../../lib/images/bitmap-font";
import { encodePng } from "../../server/vaccel/inference/image-codec";
import { OcrModels } from "../../server/vaccel/inference/ocr-models";
import { runInference } from "./infer-main";
import type { InferOptions } from "./infer-options";

describe("runInference", () => {
  let dir: string;
  let address: string;
  let agent: VaccelAgent;
  const agentModels = new OcrModels({ threads: 1 });
  const quiet = { log: () => undefined };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "infer-main-"));
    address = `unix://${path.join(dir, "agent.sock")}`;
    agent = new VaccelAgent({ backend: new OnnxBackend({ models: agentModels }) });
    await agent.listen(address);
  });

  afterAll(async () => {
    await agent.close();
    await agentModels.release();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the same text on this CPU and offloaded to the agent", async () => {
    const options: InferOptions = {
      op: "ocr",
      iterations: 2,
      input: { text: "HELLO 2026" },
      threads: 1,
    };
    const lines: string[] = [];
    const cpu = await runInference(options, { log: (line) => lines.push(line) });
    const vaccel = await runInference({ ...options, rpcAddress: address }, quiet);

    expect(cpu).toMatchObject({ mode: "cpu", op: "ocr", iterations: 2, result: "HELLO 2026" });
    expect(cpu.rpcAddress).toBeUndefined();
    expect(vaccel).toMatchObject({ mode: "vaccel", result: "HELLO 2026", rpcAddress: address });
    for (const result of [cpu, vaccel]) {
      expect(result.node).toBe(process.version);
      expect(result.loadMs).toBeGreaterThan(0);
      expect(result.medianMs).toBeGreaterThan(0);
      expect(result.p95Ms).toBeGreaterThanOrEqual(result.medianMs);
    }
    expect(lines[0]).toMatch(/^models loaded in \d+ ms/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^iteration 1\/2: \d+\.\d ms$/),
      expect.stringMatching(/^iteration 2\/2: \d+\.\d ms$/),
    ]);
  }, 30_000);

  it("classifies an upside-down image file the same way in both modes", async () => {
    const image = path.join(dir, "upside-down.png");
    await writeFile(image, encodePng(renderTextLine("VACCEL", { rotate180: true })));
    const options: InferOptions = { op: "classify", iterations: 1, input: { imagePath: image } };
    const cpu = await runInference(options, quiet);
    const vaccel = await runInference({ ...options, rpcAddress: address }, quiet);
    expect(cpu.result).toMatch(/^180° /);
    expect(vaccel.result).toBe(cpu.result);
  }, 30_000);

  it("multiplies the same matrices on this CPU and offloaded, each product verified in the workload", async () => {
    const options: InferOptions = { op: "sgemm", iterations: 2, size: 128, threads: 1 };
    const cpu = await runInference(options, quiet);
    const vaccel = await runInference({ ...options, rpcAddress: address }, quiet);
    expect(cpu).toMatchObject({ mode: "cpu", op: "sgemm", size: 128 });
    expect(cpu.result).toMatch(/^128×128×128 sgemm: sum\(C\) .*, 8\/8 spot elements verified$/);
    expect(vaccel).toMatchObject({ mode: "vaccel", result: cpu.result, size: 128 });
  }, 30_000);

  it("offloads NOOP, MINMAX and IMAGE_DETECT, and answers as this CPU does", async () => {
    const noop = await runInference({ op: "noop", iterations: 20, rpcAddress: address }, quiet);
    expect(noop).toMatchObject({ mode: "vaccel", op: "noop", iterations: 20 });
    expect(noop.medianMs).toBeGreaterThan(0);
    const minmax: InferOptions = { op: "minmax", iterations: 1, size: 5000 };
    const minmaxCpu = await runInference(minmax, quiet);
    expect(minmaxCpu.result).toBe(
      "5000 values: min -1234.5, max 5678.25, 8 clamped values verified",
    );
    expect((await runInference({ ...minmax, rpcAddress: address }, quiet)).result).toBe(
      minmaxCpu.result,
    );
    const detect: InferOptions = { op: "detect", iterations: 1, input: { text: "HELLO 2026" } };
    const detectCpu = await runInference(detect, quiet);
    expect(detectCpu.result).toMatch(/^2 text boxes: \d+,\d+ \d+×\d+; \d+,\d+ \d+×\d+$/);
    expect((await runInference({ ...detect, rpcAddress: address }, quiet)).result).toBe(
      detectCpu.result,
    );
  }, 30_000);

  it("fails clearly when no agent listens", async () => {
    const options: InferOptions = {
      op: "ocr",
      iterations: 1,
      input: { text: "HI" },
      rpcAddress: `unix://${path.join(dir, "nobody.sock")}`,
    };
    await expect(runInference(options, quiet)).rejects.toThrow();
  });
});
