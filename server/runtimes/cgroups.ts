// The playground's cgroups: one parent, a child per sandbox, found by name after a crash.
import fs from "node:fs/promises";
import path from "node:path";
import { resourcePrefix } from "../engine/driver";

const cgroupRoot = "/sys/fs/cgroup";

/** Every hierarchy (v1 controllers, or the single v2 tree) where a sandbox cgroup may live. */
async function hierarchies(): Promise<string[]> {
  const entries = await fs.readdir(cgroupRoot, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => path.join(cgroupRoot, e.name));
  return [cgroupRoot, ...dirs];
}

/** Host pids in the sandbox's cgroup (the pids hierarchy on v1, the unified tree on v2), children included. */
export async function cgroupPids(parent: string, name: string): Promise<number[]> {
  for (const hierarchy of [path.join(cgroupRoot, "pids"), cgroupRoot]) {
    const dir = path.join(hierarchy, parent, name);
    const pids = await collectPids(dir);
    if (pids !== null) return pids;
  }
  return [];
}

/** What a sandbox's cgroup allows its processes (runc and the other runtimes write the same from the OCI spec). */
export interface CgroupLimits {
  cpuShares: number;
  /** pids.max: tasks, threads included. */
  pids: number;
  memoryBytes: number;
}

/** What all sandboxes of one playground get together, on their common parent. */
export interface CgroupParentLimits {
  /** Their weight against the host's other processes (the server itself among them). */
  cpuShares: number;
  /** CPU time all of them together may use, in cores (a CFS quota); null: no cap. */
  cpuCores: number | null;
  /**
   * SCHED_IDLE for the group as a whole (cpu.idle, Linux 5.15+): it runs only on CPU its peers leave
   * unused, and yields at once when one of them wakes. Its share then no longer counts. Where the kernel
   * has no cpu.idle, the share applies.
   */
  idle?: boolean;
}

/** The hierarchies a process joins for CPU, memory and pids: the v1 controllers, or the one v2 tree. */
async function controllerRoots(): Promise<{ version: 1 | 2; roots: Record<Controller, string> }> {
  const v2 = await fs.access(path.join(cgroupRoot, "cgroup.controllers")).then(
    () => true,
    () => false,
  );
  if (v2) return { version: 2, roots: { cpu: cgroupRoot, memory: cgroupRoot, pids: cgroupRoot } };
  const roots = { cpu: "", memory: "", pids: "" };
  for (const controller of controllers) roots[controller] = path.join(cgroupRoot, controller);
  return { version: 1, roots };
}

const controllers = ["cpu", "memory", "pids"] as const;
type Controller = (typeof controllers)[number];

/** cgroup v2's weight for a v1 share, as runc converts it (1024 -> 100 with a curve over 2..262144). */
const weightOf = (shares: number) => Math.round(1 + ((shares - 2) * 9999) / 262_142);

/**
 * Creates the sandbox's cgroup and writes its limits; returns the cgroup.procs files a process joins
 * (one per v1 hierarchy, one on v2). For a process we start ourselves (QEMU), not one a runtime places.
 */
export async function createSandboxCgroup(
  parent: string,
  name: string,
  limits: CgroupLimits,
): Promise<string[]> {
  const { version, roots } = await controllerRoots();
  const dirs = [...new Set(controllers.map((c) => path.join(roots[c], parent, name)))];
  if (version === 2) await enableV2Controllers(path.join(parent, name));
  for (const dir of dirs) await fs.mkdir(dir, { recursive: true });
  const at = (controller: Controller, file: string) =>
    path.join(roots[controller], parent, name, file);
  if (version === 1) {
    await fs.writeFile(at("cpu", "cpu.shares"), String(limits.cpuShares));
    await fs.writeFile(at("memory", "memory.limit_in_bytes"), String(limits.memoryBytes));
  } else {
    await fs.writeFile(at("cpu", "cpu.weight"), String(weightOf(limits.cpuShares)));
    await fs.writeFile(at("memory", "memory.max"), String(limits.memoryBytes));
  }
  await fs.writeFile(at("pids", "pids.max"), String(limits.pids));
  return dirs.map((dir) => path.join(dir, "cgroup.procs"));
}

/** A sandbox cgroup's CPU share, changed while its process runs (a warm-pool VM that a run claimed). */
export async function setCgroupCpuShares(
  parent: string,
  name: string,
  cpuShares: number,
): Promise<void> {
  const { version, roots } = await controllerRoots();
  const dir = path.join(roots.cpu, parent, name);
  if (version === 1) await fs.writeFile(path.join(dir, "cpu.shares"), String(cpuShares));
  else await fs.writeFile(path.join(dir, "cpu.weight"), String(weightOf(cpuShares)));
}

/** The parent of every sandbox of this playground, with the share and the cap they get together. */
export async function configureCgroupParent(
  parent: string,
  limits: CgroupParentLimits,
): Promise<void> {
  const { version, roots } = await controllerRoots();
  if (version === 2) await enableV2Controllers(parent);
  const cpuDir = path.join(roots.cpu, parent);
  for (const controller of controllers)
    await fs.mkdir(path.join(roots[controller], parent), { recursive: true });
  // The kernel refuses a share for an idle group (EINVAL), so idle is settled first, the share after.
  const idle =
    limits.idle !== undefined &&
    (await writeIfPresent(path.join(cpuDir, "cpu.idle"), limits.idle ? "1" : "0")) &&
    limits.idle;
  const periodUs = 100_000;
  const quotaUs = limits.cpuCores === null ? null : Math.round(limits.cpuCores * periodUs);
  if (version === 1) {
    if (!idle) await fs.writeFile(path.join(cpuDir, "cpu.shares"), String(limits.cpuShares));
    await fs.writeFile(path.join(cpuDir, "cpu.cfs_period_us"), String(periodUs));
    await fs.writeFile(path.join(cpuDir, "cpu.cfs_quota_us"), String(quotaUs ?? -1));
  } else {
    if (!idle)
      await fs.writeFile(path.join(cpuDir, "cpu.weight"), String(weightOf(limits.cpuShares)));
    await fs.writeFile(path.join(cpuDir, "cpu.max"), `${quotaUs ?? "max"} ${periodUs}`);
  }
}

/** False where the kernel lacks the file (cpu.idle came with Linux 5.15). */
async function writeIfPresent(file: string, text: string): Promise<boolean> {
  try {
    await fs.writeFile(file, text);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** v2 hands a controller to a child only when every ancestor enables it for its children. */
async function enableV2Controllers(cgroup: string): Promise<void> {
  const parts = cgroup.split("/").filter(Boolean);
  for (let depth = 0; depth < parts.length; depth++) {
    const dir = path.join(cgroupRoot, ...parts.slice(0, depth));
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "cgroup.subtree_control"), "+cpu +memory +pids");
  }
}

async function collectPids(dir: string): Promise<number[] | null> {
  const procs = await fs.readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => null);
  if (procs === null) return null;
  const pids = procs.split("\n").filter(Boolean).map(Number);
  const children = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const child of children.filter((c) => c.isDirectory())) {
    pids.push(...((await collectPids(path.join(dir, child.name))) ?? []));
  }
  return pids;
}

/** Removes the sandbox's cgroup in each hierarchy; children first, since rmdir needs them empty. */
export async function removeCgroups(parent: string, name: string): Promise<void> {
  for (const hierarchy of await hierarchies()) {
    await removeTree(path.join(hierarchy, parent, name));
  }
}

/** Removes the (by then empty) parent when the server stops. */
export async function removeCgroupParent(parent: string): Promise<void> {
  await removeCgroups(path.dirname(parent), path.basename(parent));
}

/** Names of sandbox cgroups under the parent that no running sandbox owns (after a crash). */
export async function reapCgroups(
  parent: string,
  keep: (name: string) => boolean,
): Promise<string[]> {
  const removed = new Set<string>();
  for (const hierarchy of await hierarchies()) {
    const dir = path.join(hierarchy, parent);
    const children = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const child of children) {
      if (!child.isDirectory() || !child.name.startsWith(resourcePrefix) || keep(child.name))
        continue;
      await removeTree(path.join(dir, child.name));
      removed.add(child.name);
    }
  }
  return [...removed].map((n) => `cgroup ${parent}/${n}`);
}

async function removeTree(dir: string): Promise<void> {
  const children = await fs.readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!children) return;
  for (const child of children) {
    if (child.isDirectory()) await removeTree(path.join(dir, child.name));
  }
  // A process whose runtime state was lost (crash) still sits in the cgroup: end it, or rmdir fails.
  for (let attempt = 0; attempt < 20; attempt++) {
    if (
      await fs.rmdir(dir).then(
        () => true,
        () => false,
      )
    )
      return;
    const procs = await fs.readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => "");
    for (const pid of procs.split("\n").filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
