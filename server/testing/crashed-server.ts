// For tests that kill a server (kill -9) and start it again: one state folder, the servers on it, and what
// a restart must leave empty (the runtimes' containers, the sandboxes' cgroups), read from the host.
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll } from "vitest";
import { cgroupParentFor } from "../instance/cgroup-parents";
import { ImageMounts } from "../images/image-mounts";
import { runCommand } from "../runtimes/process-exit";
import { startServerProcess, type ServerProcess } from "./server-process";

export interface CrashedServerHost {
  /** The state folder, created by the first start. */
  readonly stateDir: string;
  /** Starts a server process on the state folder (the vAccel agent off), `env` over the defaults. */
  start(env?: Record<string, string>): Promise<ServerProcess>;
  /** The containers a runtime CLI (runc, runsc) lists under the state folder's root for that runtime. */
  containers(binary: string, runtime: string): Promise<Array<{ id: string }>>;
  /** The sandboxes' own cgroups under this state folder's parent (not probes or pool VMs). */
  sandboxCgroups(): Promise<string[]>;
}

/** Registers an afterAll that kills every server it started, releases their image mounts, removes the folder. */
export function crashedServerHost(prefix: string): CrashedServerHost {
  const children: ChildProcess[] = [];
  let stateDir = "";
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    if (!stateDir) return;
    await new ImageMounts(path.join(stateDir, "images")).release();
    await rm(stateDir, { recursive: true, force: true });
  });
  return {
    get stateDir() {
      return stateDir;
    },
    async start(env = {}) {
      stateDir ||= await mkdtemp(`/run/${prefix}-`);
      const server = await startServerProcess({
        SBPG_STATE_DIR: stateDir,
        SBPG_VACCEL: "off",
        ...env,
      });
      children.push(server.child);
      return server;
    },
    async containers(binary, runtime) {
      const listed = await runCommand(binary, [
        "--root",
        path.join(stateDir, runtime, "root"),
        "list",
        "--format",
        "json",
      ]);
      return (JSON.parse(listed.stdout || "null") ?? []) as Array<{ id: string }>;
    },
    async sandboxCgroups() {
      const names = await readdir(`/sys/fs/cgroup/pids${cgroupParentFor(stateDir)}`).catch(
        () => [] as string[],
      );
      return names.filter((c) => c.startsWith("sbpg-") && !/^sbpg-(probe|pool-)/.test(c));
    },
  };
}
