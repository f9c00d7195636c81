// The initramfs's static helpers, compiled without libc: the restored VM's resume step (guest-resume.c) and the
// session's terminal start (guest-terminal.c).
import path from "node:path";
import { compileStaticHelper, staticHelperDigest } from "../static-helper";

const sources = {
  resume: path.join(import.meta.dirname, "guest-resume.c"),
  terminal: path.join(import.meta.dirname, "guest-terminal.c"),
};

export interface GuestHelpers {
  /** sbpg-resume: reseed, clock, mounts. */
  resume: Buffer;
  /** sbpg-term: a session's shell on its port. */
  terminal: Buffer;
}

export async function compileGuestHelpers(): Promise<GuestHelpers> {
  return {
    resume: await compileStaticHelper(sources.resume, "the microVM's resume helper"),
    terminal: await compileStaticHelper(sources.terminal, "the microVM's terminal helper"),
  };
}

/** Part of the assets' init digest: a changed helper rebuilds the initramfs. */
export async function guestHelpersDigest(): Promise<string> {
  return [
    await staticHelperDigest(sources.resume),
    await staticHelperDigest(sources.terminal),
  ].join(":");
}
