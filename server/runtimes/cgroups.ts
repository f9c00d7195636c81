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
