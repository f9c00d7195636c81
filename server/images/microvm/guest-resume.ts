// The restored VM's reseed-and-clock helper: guest-resume.c compiled static without libc, for the initramfs.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const resumeHelperSource = path.join(import.meta.dirname, "guest-resume.c");

/** No libc, no dynamic loader: a few KiB that run in any initramfs; x86-64 only, like the microVM. */
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

export async function compileResumeHelper(): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-resume-"));
  try {
    const out = path.join(dir, "sbpg-resume");
    await run("gcc", [...gccFlags, "-o", out, resumeHelperSource]).catch((err: unknown) => {
      const detail = err instanceof Error ? err.message : String(err);
      throw new Error(
        `the microVM's resume helper did not compile (apt-get install gcc): ${detail}`,
      );
    });
    return await fs.readFile(out);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Part of the assets' init digest: a changed helper rebuilds the initramfs. */
export async function resumeHelperDigest(): Promise<string> {
  return createHash("sha256")
    .update(await fs.readFile(resumeHelperSource))
    .digest("hex");
}
