// What the host sees of a session, read from /proc and its cgroup: never a host shell, only files read.
import fs from "node:fs/promises";
import path from "node:path";
import type { SessionHostView } from "../../lib/api/sessions";

const cgroupRoot = "/sys/fs/cgroup";
/** A page, not a dump: enough to see the Sentry or the shell, bounded for a fork bomb. */
const maxProcesses = 100;
const maxCommandChars = 2_000;
const maxMounts = 200;

/** Reads the host view of the sandbox whose host processes are `pids`, in cgroup `<parent>/<name>`. */
export async function readHostView(
  pids: number[],
  cgroup: { parent: string; name: string } | null,
): Promise<SessionHostView> {
  const sorted = [...new Set(pids)].sort((a, b) => a - b).slice(0, maxProcesses);
  const processes = (
    await Promise.all(sorted.map(async (pid) => ({ pid, command: await commandLineOf(pid) })))
  ).filter((p): p is { pid: number; command: string } => p.command !== null);
  let inside: number | undefined;
  for (const { pid } of processes) {
    if (await sharesHostMounts(pid)) continue;
    inside = pid;
    break;
  }
  return {
    processes,
    cgroup: cgroup ? await readCgroupUsage(path.join(cgroup.parent, cgroup.name)) : emptyUsage,
    mounts: inside === undefined ? [] : await readMounts(inside),
  };
}

/** A VMM or a shim runs in the host's own mount namespace: its table would be the host's, not the sandbox's. */
async function sharesHostMounts(pid: number): Promise<boolean> {
  const [theirs, ours] = await Promise.all(
    [`/proc/${pid}/ns/mnt`, "/proc/self/ns/mnt"].map((p) => fs.readlink(p).catch(() => null)),
  );
  return theirs === null || theirs === ours;
}

async function commandLineOf(pid: number): Promise<string | null> {
  const raw = await fs.readFile(`/proc/${pid}/cmdline`).catch(() => null);
  if (raw === null) return null;
  const text = raw.toString("utf8").replace(/\0+$/, "").split("\0").join(" ");
  // A kernel thread or a process between exec and start has an empty command line; ps shows its name.
  const command =
    text || `[${(await fs.readFile(`/proc/${pid}/comm`, "utf8").catch(() => "?")).trim()}]`;
  return command.length > maxCommandChars ? `${command.slice(0, maxCommandChars)}…` : command;
}

const emptyUsage: SessionHostView["cgroup"] = {
  memoryBytes: null,
  memoryLimitBytes: null,
  pids: null,
  pidsLimit: null,
  cpuUsageMs: null,
};

/** cgroup v1 controllers where mounted (this host), else the unified v2 tree. */
async function readCgroupUsage(relative: string): Promise<SessionHostView["cgroup"]> {
  const v1 = (controller: string, file: string) =>
    readNumber(path.join(cgroupRoot, controller, relative, file));
  const v2 = (file: string) => readNumber(path.join(cgroupRoot, relative, file));
  const cpuV1 = await v1("cpuacct", "cpuacct.usage");
  const cpuV2 = cpuV1 === null ? await readCpuStatUsec(path.join(cgroupRoot, relative)) : null;
  return {
    memoryBytes: (await v1("memory", "memory.usage_in_bytes")) ?? (await v2("memory.current")),
    memoryLimitBytes: (await v1("memory", "memory.limit_in_bytes")) ?? (await v2("memory.max")),
    pids: (await v1("pids", "pids.current")) ?? (await v2("pids.current")),
    pidsLimit: (await v1("pids", "pids.max")) ?? (await v2("pids.max")),
    cpuUsageMs:
      cpuV1 !== null ? Math.round(cpuV1 / 1e6) : cpuV2 !== null ? Math.round(cpuV2 / 1e3) : null,
  };
}

async function readNumber(file: string): Promise<number | null> {
  const text = await fs.readFile(file, "utf8").catch(() => null);
  if (text === null) return null;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : null;
}

async function readCpuStatUsec(dir: string): Promise<number | null> {
  const text = await fs.readFile(path.join(dir, "cpu.stat"), "utf8").catch(() => null);
  const match = text?.match(/^usage_usec (\d+)$/m);
  return match ? Number(match[1]) : null;
}

/** /proc/<pid>/mountinfo: "id parent major:minor root mountPoint options [optional...] - fsType source superOptions". */
export function parseMountinfo(text: string, pid: number): SessionHostView["mounts"] {
  const mounts: SessionHostView["mounts"] = [];
  for (const line of text.split("\n")) {
    const [before, after] = line.split(" - ");
    if (!before || !after) continue;
    const fields = before.split(" ");
    const [fsType = "", source = "", superOptions = ""] = after.split(" ");
    mounts.push({
      pid,
      mountPoint: unescapeMountPath(fields[4] ?? ""),
      fsType,
      source: unescapeMountPath(source),
      options: [fields[5], superOptions].filter(Boolean).join(" "),
    });
    if (mounts.length >= maxMounts) break;
  }
  return mounts;
}

/** The kernel writes space, tab, newline and backslash in paths as octal escapes. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

async function readMounts(pid: number): Promise<SessionHostView["mounts"]> {
  const text = await fs.readFile(`/proc/${pid}/mountinfo`, "utf8").catch(() => "");
  return parseMountinfo(text, pid);
}
