// The bundle as the image carries it: one module plus proto/ beside it, run by node against an in-test agent.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaccelAgent } from "./agent/vaccel-agent";
import { OnnxBackend } from "./backends/onnx-backend";
import { OcrModels } from "./inference/ocr-models";
import { bundleGuestWorkload } from "./guest-bundle";
import { parseResultLine } from "../../guest/vaccel/infer-options";

describe("bundleGuestWorkload", () => {
  let root: string;
  let agent: VaccelAgent;
  const models = new OcrModels({ threads: 1 });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "guest-bundle-"));
    const bundle = await bundleGuestWorkload("/opt/guest");
    for (const file of bundle.generated) {
      await mkdir(path.dirname(path.join(root, file.path)), { recursive: true });
      await writeFile(path.join(root, file.path), file.content);
    }
    for (const file of bundle.files) {
      await mkdir(path.dirname(path.join(root, file.to)), { recursive: true });
      await copyFile(file.from, path.join(root, file.to));
    }
    agent = new VaccelAgent({ backend: new OnnxBackend({ models }) });
    await agent.listen(`unix://${path.join(root, "agent.sock")}`);
  }, 30_000);

  afterAll(async () => {
    await agent.close();
    await models.release();
    await rm(root, { recursive: true, force: true });
  });

  it("leaves onnxruntime-node to the image and carries the protos beside the module", async () => {
    const bundle = await bundleGuestWorkload("/opt/guest");
    expect(bundle.generated.map((f) => f.path)).toEqual(["/opt/guest/infer.mjs"]);
    expect(bundle.generated[0].content).toMatch(/import\("onnxruntime-node"\)/);
    expect(bundle.files.map((f) => f.to)).toContain("/opt/guest/proto/genop.proto");
  });

  // Offloading never loads onnxruntime, so the bundle runs here without any node_modules beside it.
  it("runs offloaded from a folder with nothing but itself and its protos", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(root, "opt/guest/infer.mjs"), "--op", "ocr", "--iterations", "1"],
      { env: { ...process.env, VACCEL_RPC_ADDRESS: `unix://${path.join(root, "agent.sock")}` } },
    );
    expect(parseResultLine(stdout)).toMatchObject({ mode: "vaccel", result: "HELLO 2026" });
  }, 30_000);

  it("offloads an SGEMM and a NOOP from the bundle", async () => {
    const run = async (...args: string[]) =>
      parseResultLine(
        (
          await promisify(execFile)(
            process.execPath,
            [path.join(root, "opt/guest/infer.mjs"), ...args],
            {
              env: {
                ...process.env,
                VACCEL_RPC_ADDRESS: `unix://${path.join(root, "agent.sock")}`,
              },
            },
          )
        ).stdout,
      );
    expect(await run("--op", "sgemm", "--size", "64", "--iterations", "1")).toMatchObject({
      mode: "vaccel",
      size: 64,
      result: expect.stringMatching(/8\/8 spot elements verified$/),
    });
    expect(await run("--op", "noop", "--iterations", "5")).toMatchObject({ op: "noop" });
  }, 30_000);
});
