// The cgroups one playground instance owns on the host, named after its state folder.
import { createHash } from "node:crypto";
import path from "node:path";

/**
 * Every sandbox's cgroup lives under one parent per state folder, in each hierarchy: a server reaps
 * only its own leftovers, never the sandboxes of another playground (or test) on the same host. The
 * name keeps the folder's basename to be readable and adds a hash of its whole path, since /run/a/x
 * and /run/b/x are two folders.
 */
export function cgroupParentFor(stateDir: string): string {
  const resolved = path.resolve(stateDir);
  const digest = createHash("sha256").update(resolved).digest("hex").slice(0, 12);
  return `/sandbox-playground/${path.basename(resolved)}-${digest}`;
}

/**
 * The microVMs' cgroup: a child of the hierarchy's root, beside the sandboxes' parent rather than in it,
 * so that it can be SCHED_IDLE against the host's own processes (the server, the runtimes' CLIs): cpu.idle
 * orders a group only against its peers. A TCG guest spinning its vCPU then takes only CPU nobody else wants.
 */
export function vmsCgroupFor(stateDir: string): string {
  return `/sandbox-playground-vms-${path.basename(cgroupParentFor(stateDir))}`;
}
