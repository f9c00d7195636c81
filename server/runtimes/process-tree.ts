// A process and those it started, read from /proc: a VM runtime's shim with the VMM and helpers it spawned.
import fs from "node:fs/promises";

/** The parent of each live process (a kernel thread's is 0 or 2); a process gone mid-read is skipped. */
async function parents(): Promise<Map<number, number>> {
  const entries = await fs.readdir("/proc").catch(() => [] as string[]);
  const parentOf = new Map<number, number>();
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const stat = await fs.readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
        const ppid = stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : NaN;
        if (Number.isInteger(ppid)) parentOf.set(Number(entry), ppid);
      }),
  );
  return parentOf;
}

/**
 * `root` and every live process below it, root first, then by depth; [] when root is gone. A shim that
 * makes itself a child subreaper (containerd's do) stays the parent of a VMM that daemonizes.
 */
export async function processTree(root: number): Promise<number[]> {
  const parentOf = await parents();
  if (!parentOf.has(root)) return [];
  const childrenOf = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const siblings = childrenOf.get(ppid);
    if (siblings) siblings.push(pid);
    else childrenOf.set(ppid, [pid]);
  }
  const tree = [root];
  for (let at = 0; at < tree.length; at++)
    tree.push(...(childrenOf.get(tree[at]!) ?? []).sort((a, b) => a - b));
  return tree;
}
