// Bundles the guest inference workload into one ES module for the node-onnx image, with the .proto files it loads.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

/** The workload runs inside the sandbox; its source lives with the other guest code in guest/. */
const entryPoint = path.join(import.meta.dirname, "..", "..", "guest", "vaccel", "infer-main.ts");
/** proto-root.ts loads the .proto files in `proto/` (and `proto/sync/`) beside its module; in the bundle that module is infer.mjs itself. */
const protoDir = path.join(import.meta.dirname, "proto");

export interface GuestBundle {
  /** Generated files for the image: the bundle. */
  generated: Array<{ path: string; content: string; mode?: number }>;
  /** Host files to copy: the .proto files, to `proto/` beside the bundle. */
  files: Array<{ from: string; to: string }>;
}

/** onnxruntime-node stays external: the image's /opt/node_modules has its native binding. */
export async function bundleGuestWorkload(guestDir: string): Promise<GuestBundle> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["onnxruntime-node"],
    write: false,
    legalComments: "none",
    logLevel: "silent",
    // The bundled CommonJS packages (pngjs, protobufjs) require node's built-ins; an ES module has no `require`.
    banner: {
      js: 'import { createRequire as createRequireForBundle } from "node:module"; const require = createRequireForBundle(import.meta.url);',
    },
  });
  const [output] = result.outputFiles;
  // recursive: sync/agent.proto sits in a folder, as upstream keeps it.
  const protos = (await readdir(protoDir, { recursive: true })).filter((name) =>
    name.endsWith(".proto"),
  );
  return {
    generated: [{ path: path.posix.join(guestDir, "infer.mjs"), content: output.text }],
    files: protos.map((name) => ({
      from: path.join(protoDir, name),
      to: path.posix.join(guestDir, "proto", ...name.split(path.sep)),
    })),
  };
}
