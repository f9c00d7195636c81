// gVisor sessions' seccomp-exec: the helper (seccomp-exec.c) and the compiled profile, in a folder mounted read-only into the session.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { compileStaticHelper, staticHelperDigest } from "../images/static-helper";
import type { OciMount, OciSeccomp } from "./oci-spec";
import { compileSeccompBpf, encodeBpf } from "./seccomp-bpf";

/** The images' own empty mount point (busybox-image.ts): gVisor's gofer cannot create one in the read-only root. */
export const seccompExecDir = "/run/sbpg";
const helperName = "seccomp-exec";
const filterName = "seccomp.bpf";
const helperSource = path.join(import.meta.dirname, "seccomp-exec.c");
/**
 * Outside the playground's state folder: the gofer serving the mount runs as the sandbox's mapped root, which
 * cannot pass a folder only root may enter. Keyed by what it holds, so playgrounds on one host share it.
 */
const hostToolsRoot = "/run/sbpg-seccomp-exec";

/** Prefixed to every command a session execs: the command then runs under the filter, and so does all it starts. */
export const seccompExecArgsPrefix = [
  path.posix.join(seccompExecDir, helperName),
  path.posix.join(seccompExecDir, filterName),
];

/** Builds the helper and the filter once per host (a tmpfs, so once per boot); returns the session's mount of them. */
export async function prepareSeccompExec(profile: OciSeccomp): Promise<OciMount> {
  const filter = encodeBpf(compileSeccompBpf(profile));
  const digest = createHash("sha256")
    .update(await staticHelperDigest(helperSource))
    .update(filter)
    .digest("hex")
    .slice(0, 16);
  const hostDir = path.join(hostToolsRoot, digest);
  const mount = {
    destination: seccompExecDir,
    type: "bind",
    source: hostDir,
    options: ["rbind", "ro", "nosuid", "nodev"],
  };
  if (
    await fs.stat(path.join(hostDir, filterName)).then(
      () => true,
      () => false,
    )
  )
    return mount;

  const helper = await compileStaticHelper(helperSource, "gVisor sessions' seccomp helper");
  await fs.mkdir(hostToolsRoot, { recursive: true, mode: 0o755 });
  // Written aside and renamed whole: another playground starting at the same moment finds all of it or none.
  const staging = await fs.mkdtemp(path.join(hostToolsRoot, ".new-"));
  await fs.chmod(staging, 0o755);
  await fs.writeFile(path.join(staging, helperName), helper, { mode: 0o755 });
  await fs.writeFile(path.join(staging, filterName), filter, { mode: 0o644 });
  await fs.rename(staging, hostDir).catch(async (err: NodeJS.ErrnoException) => {
    await fs.rm(staging, { recursive: true, force: true });
    if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
  });
  return mount;
}
