import { describe, expect, it } from "vitest";
import {
  DEFAULT_TEXT,
  InferUsageError,
  formatResultLine,
  parseInferArgs,
  parseResultLine,
  type InferResult,
} from "./infer-options";

describe("parseInferArgs", () => {
  it("defaults to 10 iterations of the generated line, on this CPU", () => {
    expect(parseInferArgs(["--op", "ocr"], {})).toEqual({
      op: "ocr",
      iterations: 10,
      input: { text: DEFAULT_TEXT },
    });
  });

  it("reads every flag and the environment", () => {
    const options = parseInferArgs(
      ["--op=classify", "--iterations", "3", "--image", "/tmp/in.png", "--threads", "1"],
      { VACCEL_RPC_ADDRESS: "unix:///run/vaccel.sock", OCR_MODEL_DIR: "/opt/models" },
    );
    expect(options).toEqual({
      op: "classify",
      iterations: 3,
      input: { imagePath: "/tmp/in.png" },
      modelDir: "/opt/models",
      threads: 1,
      rpcAddress: "unix:///run/vaccel.sock",
    });
  });

  it("prefers --model-dir over OCR_MODEL_DIR and ignores an empty VACCEL_RPC_ADDRESS", () => {
    const options = parseInferArgs(["--op", "ocr", "--text", "HI", "--model-dir", "/models"], {
      OCR_MODEL_DIR: "/elsewhere",
      VACCEL_RPC_ADDRESS: "",
    });
    expect(options).toEqual({
      op: "ocr",
      iterations: 10,
      input: { text: "HI" },
      modelDir: "/models",
    });
  });

  it("gives sgemm and minmax a default size and noop no input", () => {
    expect(parseInferArgs(["--op", "sgemm"], {})).toEqual({
      op: "sgemm",
      iterations: 10,
      size: 256,
    });
    expect(parseInferArgs(["--op", "sgemm", "--size", "512", "--iterations", "3"], {})).toEqual({
      op: "sgemm",
      iterations: 3,
      size: 512,
    });
    expect(parseInferArgs(["--op", "minmax"], {})).toMatchObject({ size: 65_536 });
    expect(parseInferArgs(["--op", "noop", "--iterations", "1000"], {})).toEqual({
      op: "noop",
      iterations: 1000,
    });
  });

  it.each([
    [[], "--op is required"],
    [["--op", "sgemm", "--size", "1024"], "--size: sgemm: 16 to 512"],
    [["--op", "noop", "--size", "4"], "only sgemm and minmax take a size"],
    [["--op", "sgemm", "--text", "HI"], "only ocr, classify and detect read --text or --image"],
    [["--op", "translate"], "--op: must be one of ocr, classify, detect, sgemm, minmax, noop"],
    [["--op", "ocr", "--iterations", "0"], "--iterations"],
    [["--op", "ocr", "--iterations", "many"], "--iterations"],
    [["--op", "ocr", "--text", "A", "--image", "a.png"], "not both"],
    [["--op", "ocr", "--colour", "red"], "colour"],
    [["--op", "ocr", "extra"], "extra"],
  ])("rejects %j with a message naming the problem", (argv, message) => {
    expect(() => parseInferArgs(argv, {})).toThrow(InferUsageError);
    expect(() => parseInferArgs(argv, {})).toThrow(message);
  });

  it("rejects a VACCEL_RPC_ADDRESS vAccel would not dial", () => {
    expect(() => parseInferArgs(["--op", "ocr"], { VACCEL_RPC_ADDRESS: "http://host" })).toThrow(
      /VACCEL_RPC_ADDRESS: .*unsupported scheme/,
    );
  });
});

describe("the RESULT line", () => {
  const result: InferResult = {
    mode: "vaccel",
    op: "ocr",
    node: "v20.20.2",
    startMs: 31.5,
    loadMs: 1.25,
    iterations: 10,
    medianMs: 52.1,
    p95Ms: 60.75,
    result: "HELLO 2026\nSECOND LINE",
    rpcAddress: "unix:///run/vaccel.sock",
  };

  it("is one line: RESULT and the JSON", () => {
    const line = formatResultLine(result);
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toMatch(/^RESULT \{"mode":"vaccel","op":"ocr",/);
    expect(JSON.parse(line.slice("RESULT ".length))).toEqual(result);
  });

  it("is found after progress lines, the last one winning", () => {
    const output = [
      "models loaded in 143 ms",
      "iteration 1/1: 52.1 ms",
      formatResultLine({ ...result, result: "first" }),
      formatResultLine(result),
      "",
    ].join("\n");
    expect(parseResultLine(output)).toEqual(result);
  });

  it("is absent from output without one, and a malformed one throws", () => {
    expect(parseResultLine("iteration 1/1: 52.1 ms\n")).toBeUndefined();
    expect(() => parseResultLine('RESULT {"mode":"gpu"}')).toThrow();
  });
});
