import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { NativeInferReplySchema } from "../../lib/api/vaccel";
import { createApiRouter } from "../http/api-router";
import { createLogger } from "../log/logger";
import type { InferOptions, InferResult } from "../../guest/vaccel/infer-options";
import { renderTextLine } from "../../lib/images/bitmap-font";
import { encodePng } from "./inference/image-codec";
import { OcrModels } from "./inference/ocr-models";
import { rotateImage180 } from "../../lib/images/rgb-image";
import { type VaccelRoutesContext, vaccelRoutes } from "./vaccel-routes";

const models = new OcrModels();
afterAll(() => models.release());

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
});

async function serve(context: VaccelRoutesContext = {}): Promise<string> {
  const api = createApiRouter({
    routes: vaccelRoutes({ models, ...context }),
    log: createLogger("silent"),
    maxBodyBytes: 64 * 1024,
  });
  const server = http.createServer((req, res) => void api.handle(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string, body: unknown) {
  const reply = await fetch(`${url}/api/vaccel/native`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: reply.status, json: (await reply.json()) as any };
}

const rotatedLine = () =>
  encodePng(rotateImage180(renderTextLine("HELLO 2026"))).toString("base64");

describe("POST /api/vaccel/native", () => {
  it("classifies a generated line in this process, with the workload's own timings", async () => {
    const url = await serve();
    const { status, json } = await post(url, {
      op: "classify",
      iterations: 2,
      input: { kind: "text", text: "HELLO 2026" },
    });
    expect(status).toBe(200);
    const reply = NativeInferReplySchema.parse(json);
    expect(reply.result).toMatchObject({ mode: "cpu", op: "classify", iterations: 2 });
    expect(reply.result.result).toMatch(/^0° (0\.9\d{3}|1\.0000)$/);
    expect(reply.result.loadMs).toBeGreaterThan(0);
    expect(reply.result.p95Ms).toBeGreaterThanOrEqual(reply.result.medianMs);
  }, 30_000);

  it("keeps the models open: a second run loads nothing, and no process starts", async () => {
    const url = await serve();
    const body = { op: "classify", iterations: 1, input: { kind: "text", text: "HI" } };
    await post(url, body);
    const { json } = await post(url, body);
    expect(json.result.loadMs).toBeLessThan(5);
    expect(json.result.startMs).toBe(0);
  }, 30_000);

  it("reads an image given as base64: the line upside down", async () => {
    const url = await serve();
    const { status, json } = await post(url, {
      op: "classify",
      iterations: 1,
      input: { kind: "image", base64: rotatedLine() },
    });
    expect(status).toBe(200);
    expect(json.result.result).toMatch(/^180° /);
  }, 30_000);

  it.each([
    ["a character the font lacks", { kind: "text", text: "hello" }, /font draws only/],
    ["text that is too long", { kind: "text", text: "A".repeat(65) }, /at most 64/],
    ["something that is not base64", { kind: "image", base64: "not base64!" }, /not base64/],
  ])("refuses %s with a 400 that says why", async (_name, input, message) => {
    let calls = 0;
    const url = await serve({ infer: async () => (calls++, fakeResult) });
    const { status, json } = await post(url, { op: "ocr", iterations: 1, input });
    expect(status).toBe(400);
    expect(json.error.code).toBe("bad_request:vaccel");
    expect(json.error.message).toMatch(message);
    expect(calls).toBe(0);
  });

  it("refuses bytes that are no PNG or JPEG before any model opens", async () => {
    let calls = 0;
    const url = await serve({ infer: async () => (calls++, fakeResult) });
    const base64 = Buffer.from("GIF89a not really an image").toString("base64");
    const { status, json } = await post(url, {
      op: "ocr",
      iterations: 1,
      input: { kind: "image", base64 },
    });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: "bad_request:image" });
    expect(json.error.message).toMatch(/not a PNG or JPEG/);
    expect(calls).toBe(0);
  });

  it("runs SGEMM in this process on the MatMul session and verifies the product", async () => {
    const url = await serve();
    const { status, json } = await post(url, { op: "sgemm", iterations: 2, size: 64 });
    expect(status).toBe(200);
    const reply = NativeInferReplySchema.parse(json);
    expect(reply.result).toMatchObject({ mode: "cpu", op: "sgemm", size: 64, iterations: 2 });
    expect(reply.result.result).toMatch(
      /^64×64×64 sgemm: sum\(C\) -?\d+\.\d{3}, 8\/8 spot elements verified$/,
    );
  }, 30_000);

  it("runs NOOP and MINMAX, which take no input", async () => {
    const url = await serve();
    const noop = await post(url, { op: "noop", iterations: 3 });
    expect(noop.status).toBe(200);
    expect(noop.json.result).toMatchObject({ op: "noop", result: expect.stringMatching(/^no-op/) });
    const minmax = await post(url, { op: "minmax", iterations: 1, size: 1000 });
    expect(minmax.json.result.result).toBe(
      "1000 values: min -1234.5, max 5678.25, 8 clamped values verified",
    );
  }, 30_000);

  it.each([
    ["an SGEMM past 512", { op: "sgemm", iterations: 1, size: 1024 }, /size is 16 to 512/],
    [
      "a size for OCR",
      { op: "ocr", iterations: 1, size: 4, input: { kind: "text", text: "HI" } },
      /takes no size/,
    ],
    [
      "an input for NOOP",
      { op: "noop", iterations: 1, input: { kind: "text", text: "HI" } },
      /noop takes no input/,
    ],
    ["OCR without an input", { op: "ocr", iterations: 1 }, /ocr needs an input/],
  ])("refuses %s with a 400 that says why", async (_name, body, message) => {
    const url = await serve({ infer: async () => fakeResult });
    const { status, json } = await post(url, body);
    expect(status).toBe(400);
    expect(json.error.message).toMatch(message);
  });

  it.each([0, 31, 2.5])("refuses %s iterations", async (iterations) => {
    const url = await serve({ infer: async () => fakeResult });
    const { status } = await post(url, {
      op: "ocr",
      iterations,
      input: { kind: "text", text: "HI" },
    });
    expect(status).toBe(400);
  });

  it("runs one at a time, queues a few behind it and refuses the rest with 429", async () => {
    const started: string[] = [];
    const releases: Array<() => void> = [];
    const url = await serve({
      maxQueue: 1,
      infer: (options: InferOptions) => {
        started.push(options.input && "text" in options.input ? options.input.text : "image");
        return new Promise<InferResult>((resolve) => releases.push(() => resolve(fakeResult)));
      },
    });
    const ask = (text: string) =>
      post(url, { op: "ocr", iterations: 1, input: { kind: "text", text } });
    const first = ask("A");
    await waitFor(() => started.length === 1);
    const second = ask("B");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await ask("C");
    expect(third.status).toBe(429);
    expect(third.json.error.code).toBe("quota:vaccel_native");
    expect(started).toEqual(["A"]);
    releases[0]();
    expect((await first).status).toBe(200);
    await waitFor(() => started.length === 2);
    expect(started).toEqual(["A", "B"]);
    releases[1]();
    const done = await second;
    expect(done.status).toBe(200);
    expect(done.json.queuedMs).toBeGreaterThan(0);
  });
});

const fakeResult: InferResult = {
  mode: "cpu",
  op: "ocr",
  node: process.version,
  startMs: 0,
  loadMs: 1,
  iterations: 1,
  medianMs: 1,
  p95Ms: 1,
  result: "A",
};

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
