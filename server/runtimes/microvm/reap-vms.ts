// After a crash of the playground: QEMU processes of its VMs still running, and their folders.
import fs from "node:fs/promises";
import path from "node:path";
import { resourcePrefix } from "../../engine/driver";
import { sleep } from "../process-exit";

/** A QEMU of ours has a path under vmsDir/sbpg-… in its command line (its sockets and shares live there). */
export async function findVmProcesses(
  vmsDir: string,
): Promise<Array<{ pid: number; name: string }>> {
  const marker = `${path.join(vmsDir, resourcePrefix)}`;
  const found: Array<{ pid: number; name: string }> = [];
  for (const entry of await fs.readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await fs
      .readFile(`/proc/${entry}/cmdline`, "utf8")
      .then((t) => t.split("\0"))
      .catch(() => [] as string[]);
    if (!path.basename(argv[0] ?? "").startsWith("qemu-system")) continue;
    const hit = argv
      .map((arg) => ({ arg, at: markerIndex(arg, marker) }))
      .find(({ at }) => at >= 0);
    if (!hit) continue;
    const name = hit.arg.slice(hit.at + marker.length - resourcePrefix.length).split(/[/,]/)[0];
    found.push({ pid: Number(entry), name });
  }
  return found;
}

/**
 * Where vmsDir/sbpg- starts a path in a QEMU argument (whole, or after `path=` and the like), else -1: the
 * marker /run/x/microvm/sbpg- also appears inside /srv/run/x/microvm/sbpg-…, another state folder's VM.
 */
export function markerIndex(arg: string, marker: string): number {
  for (let i = arg.indexOf(marker); i >= 0; i = arg.indexOf(marker, i + 1)) {
    if (i === 0 || arg[i - 1] === "=" || arg[i - 1] === ",") return i;
  }
  return -1;
}

export async function reapVms(vmsDir: string): Promise<string[]> {
  const removed: string[] = [];
  const processes = await findVmProcesses(vmsDir);
  for (const { pid, name } of processes) {
    try {
      process.kill(pid, "SIGKILL");
      removed.push(`microvm QEMU ${pid} (${name})`);
    } catch {
      // Gone between the scan and the kill: nothing to reap.
    }
  }
  // The folders go once their QEMU has let go of the shares and sockets.
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline && (await findVmProcesses(vmsDir)).length > 0) await sleep(50);
  const leftovers = await fs.readdir(vmsDir).catch(() => [] as string[]);
  for (const entry of leftovers.filter((e) => e.startsWith(resourcePrefix))) {
    await fs.rm(path.join(vmsDir, entry), { recursive: true, force: true });
    removed.push(`microvm folder ${entry}`);
  }
  return removed;
}
