// The restored VM's reseed-and-clock helper: guest-resume.c compiled static without libc, for the initramfs.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { compileStaticHelper } from "../static-helper";

export const resumeHelperSource = path.join(import.meta.dirname, "guest-resume.c");

export function compileResumeHelper(): Promise<Buffer> {
  return compileStaticHelper(resumeHelperSource, "the microVM's resume helper");
}

/** Part of the assets' init digest: a changed helper rebuilds the initramfs. */
export async function resumeHelperDigest(): Promise<string> {
  return createHash("sha256")
    .update(await fs.readFile(resumeHelperSource))
    .digest("hex");
}
