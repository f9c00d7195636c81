// Device nodes against real runc and runsc: the sandbox's root holds no capability, so it cannot mknod one.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/env";
import { ImageMounts } from "../images/image-mounts";
import { runToEnd, startTestHost, type TestHost } from "../testing/test-host";
import { removeCgroupParent } from "./cgroups";
import { buildOciSpec } from "./oci-spec";
import { runCommand } from "./process-exit";

const script = [
  "echo capeff=$(grep CapEff /proc/self/status | cut -f2)",
  "mknod /tmp/block b 8 0 2>/dev/null && echo block=made || echo block=refused",
  "mknod /tmp/char c 1 3 2>/dev/null && echo char=made || echo char=refused",
  "mkfifo /tmp/fifo && echo fifo=made || echo fifo=refused",
].join("; ");

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host?.close());

describe.each(["runc", "gvisor"] as const)("%s", (runtime) => {
  it("refuses block and character device nodes, and still makes a FIFO", async () => {
    const { run, logs } = await runToEnd(host, { runtime, command: ["sh", "-c", script] });
    expect(run).toMatchObject({ state: "exited", exitCode: 0 });
    expect(logs).toMatch(/^capeff=0000000000000000$/m);
    expect(logs).toMatch(/^block=refused$/m);
    expect(logs).toMatch(/^char=refused$/m);
    expect(logs).toMatch(/^fifo=made$/m);
  });
});

/**
 * Why the seccomp rule is there: the same hardened spec without seccomp, run by hand. runc's workload is
 * refused by the host kernel (CAP_MKNOD in the host's user namespace); gVisor's Sentry checks no CAP_MKNOD.
 * If this ever reads "refused" for runsc, gVisor has started to check it and the page can say so.
 */
describe("the same spec without seccomp", () => {
  const cacheRootfs = path.join(loadConfig(process.env).cacheDir, "images/busybox/rootfs");

  async function runBare(binary: "runc" | "runsc"): Promise<string> {
    const dir = await mkdtemp(path.join("/run", "sbpg-test-mknod-"));
    await chmod(dir, 0o711);
    const name = path.basename(dir);
    const cgroupParent = `/${name}`;
    // As the server does: the sandbox's mapped user may not walk the cache's path (a 0700 clone folder).
    const mounts = new ImageMounts(path.join(dir, "images"));
    const rootfsPath = await mounts.expose("busybox", cacheRootfs);
    const spec = buildOciSpec({
      rootfsPath,
      command: ["sh", "-c", script],
      hostname: "sandbox",
      limits: {
        timeoutMs: 10_000,
        memoryBytes: 128 << 20,
        pids: 256,
        cpuShares: 512,
        outputBytes: 4096,
        tmpfsBytes: 1 << 20,
      },
      cgroupsPath: `${cgroupParent}/${name}`,
      userNamespace: true,
      seccomp: false,
    });
    const global =
      binary === "runc"
        ? ["--root", path.join(dir, "root")]
        : ["--root", path.join(dir, "root"), "--platform", "ptrace", "--network", "none"];
    try {
      await writeFile(path.join(dir, "config.json"), JSON.stringify(spec));
      const out = await runCommand(binary, [...global, "run", "--bundle", dir, name], 30_000);
      return out.stdout + out.stderr;
    } finally {
      await runCommand(binary, [...global, "delete", "--force", name], 10_000);
      await mounts.close();
      await rm(dir, { recursive: true, force: true });
      await removeCgroupParent(cgroupParent);
    }
  }

  it("runc: the host kernel refuses the device nodes", async () => {
    const logs = await runBare("runc");
    expect(logs).toMatch(/^block=refused$/m);
    expect(logs).toMatch(/^char=refused$/m);
  });

  it("runsc: gVisor lets the capability-less root make them", async () => {
    const logs = await runBare("runsc");
    expect(logs).toMatch(/^capeff=0000000000000000$/m);
    expect(logs).toMatch(/^block=made$/m);
    expect(logs).toMatch(/^char=made$/m);
  });
});
