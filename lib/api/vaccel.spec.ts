import { describe, expect, it } from "vitest";
import {
  ImageBase64Schema,
  NativeInferBodySchema,
  RenderableTextSchema,
  parseResultLine,
  vaccelLimits,
} from "./vaccel";

describe("parseResultLine", () => {
  const line =
    'RESULT {"mode":"vaccel","op":"ocr","node":"v20.20.2","startMs":4342.9,"loadMs":336,"iterations":2,"medianMs":316,"p95Ms":456.4,"result":"HELLO 2026","rpcAddress":"serial:///dev/vaccel"}';

  it("finds the last RESULT line among a VM's console lines", () => {
    const output = `[    0.5] Linux version 6.1\r\niteration 1/2: 472.0 ms\r\n${line}\r\n`;
    expect(parseResultLine(output)).toMatchObject({ mode: "vaccel", result: "HELLO 2026" });
  });

  it("is undefined without one, and throws on a malformed one", () => {
    expect(parseResultLine("infer: ocr failed\n")).toBeUndefined();
    expect(() => parseResultLine('RESULT {"mode":"gpu"}')).toThrow();
  });
});

describe("the native request", () => {
  it("takes text the bitmap font draws, up to 64 characters", () => {
    expect(RenderableTextSchema.safeParse("HELLO 2026 (50%)").success).toBe(true);
    expect(RenderableTextSchema.safeParse("héllo").success).toBe(false);
    expect(RenderableTextSchema.safeParse("A".repeat(65)).success).toBe(false);
    expect(RenderableTextSchema.safeParse("").success).toBe(false);
  });

  it("takes base64 of at most the image limit", () => {
    const largest = Buffer.alloc(vaccelLimits.maxImageBytes).toString("base64");
    expect(ImageBase64Schema.safeParse(largest).success).toBe(true);
    const over = Buffer.alloc(vaccelLimits.maxImageBytes + 3).toString("base64");
    expect(ImageBase64Schema.safeParse(over).success).toBe(false);
    expect(ImageBase64Schema.safeParse("abc").success).toBe(false);
    expect(ImageBase64Schema.safeParse("ab c").success).toBe(false);
  });

  it("fits the API's 64 KiB body limit at its largest", () => {
    const body = {
      op: "ocr",
      iterations: vaccelLimits.maxIterations,
      input: { kind: "image", base64: Buffer.alloc(vaccelLimits.maxImageBytes).toString("base64") },
    };
    expect(NativeInferBodySchema.parse(body)).toEqual(body);
    expect(JSON.stringify(body).length).toBeLessThan(64 * 1024);
  });

  it("refuses unknown fields", () => {
    const body = { op: "ocr", iterations: 1, input: { kind: "text", text: "HI" }, gpu: true };
    expect(NativeInferBodySchema.safeParse(body).success).toBe(false);
  });
});
