import { describe, expect, it } from "vitest";
import { nodeOnnxPaths, nodeOnnxRecipe, parseLdd } from "./node-onnx-image";

describe("parseLdd", () => {
  it("keeps resolved paths and the loader, skips the vDSO, and names what is missing", () => {
    const stdout = [
      "\tlinux-vdso.so.1 (0x00007ffd5d7f2000)",
      "\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f72ecd12000)",
      "\tlibonnxruntime.so.1 => not found",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f72ecd2e000)",
    ].join("\n");
    expect(parseLdd(stdout)).toEqual({
      paths: ["/lib/x86_64-linux-gnu/libdl.so.2", "/lib64/ld-linux-x86-64.so.2"],
      missing: ["libonnxruntime.so.1"],
    });
  });
});

describe.skipIf(process.platform !== "linux" || process.arch !== "x64")("nodeOnnxRecipe", () => {
  it("takes node, its libraries, onnxruntime's linux-x64 CPU binaries only, the models and the guest workloads", async () => {
    const recipe = await nodeOnnxRecipe();
    const targets = recipe.files.map((f) => f.to);
    expect(targets).toContain(nodeOnnxPaths.node);
    expect(targets).toContain("/lib64/ld-linux-x86-64.so.2");
    expect(targets.some((t) => /\/librt\.so/.test(t))).toBe(true);
    expect(targets).toContain(
      `${nodeOnnxPaths.nodeModules}/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1`,
    );
    expect(targets.filter((t) => /darwin|win32|arm64|cuda|\.map$|\.d\.ts$/i.test(t))).toEqual([]);
    expect(targets).toContain(`${nodeOnnxPaths.models}/ch_ppocr_mobile_v2.0_cls_infer.onnx`);
    expect(targets).toContain(`${nodeOnnxPaths.guest}/ort-smoke.mjs`);
    expect(recipe.symlinks).toContainEqual({ target: nodeOnnxPaths.node, path: "usr/bin/node" });
  });
});
