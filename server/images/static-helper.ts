// Small C helpers that run inside a sandbox (the microVM's resume helper, gVisor sessions' seccomp-exec): compiled static, without libc.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** No libc, no dynamic loader: a few KiB that run in any initramfs or image; x86-64 only, like the sandboxes. */
const gccFlags = [
  "-Os",
  "-static",
  "-nostdlib",
  // Or gcc turns the loops into strlen and memset calls there is no libc to answer.
  "-ffreestanding",
  "-fno-tree-loop-distribute-patterns",
  "-fno-stack-protector",
  "-fno-pie",
  "-no-pie",
  "-s",
];

/** `what` names the helper in the error a missing or failing gcc gives. */
export async function compileStaticHelper(source: string, what: string): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-helper-"));
  try {
    const out = path.join(dir, path.basename(source, ".c"));
    await run("gcc", [...gccFlags, "-o", out, source]).catch((err: unknown) => {
      const detail = err instanceof Error ? err.message : String(err);
      throw new Error(`${what} did not compile (apt-get install gcc): ${detail}`);
    });
    return await fs.readFile(out);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** What every helper includes (raw syscalls, the entry point). */
const sharedHeader = path.join(import.meta.dirname, "raw-syscall.h");

/** The source and the shared header it includes, hashed: a change to either is a changed helper. */
export async function staticHelperDigest(source: string): Promise<string> {
  return createHash("sha256")
    .update(await fs.readFile(source))
    .update(await fs.readFile(sharedHeader))
    .digest("hex");
}
