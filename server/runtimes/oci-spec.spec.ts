import { describe, expect, it } from "vitest";
import { buildOciSpec, deniedSyscalls } from "./oci-spec";

const limits = {
  timeoutMs: 1000,
  memoryBytes: 64 << 20,
  pids: 32,
  cpuShares: 256,
  outputBytes: 1024,
  tmpfsBytes: 8 << 20,
};
const spec = (over: Partial<Parameters<typeof buildOciSpec>[0]> = {}) =>
  buildOciSpec({
    rootfsPath: "/images/busybox/rootfs",
    command: ["sh", "-c", "echo hi"],
    hostname: "sandbox",
    limits,
    cgroupsPath: "/sandbox-playground/x/sbpg-1",
    userNamespace: true,
    seccomp: true,
    ...over,
  }) as any;

describe("buildOciSpec", () => {
  it("drops every capability and sets no_new_privs", () => {
    const { process } = spec();
    for (const set of ["bounding", "effective", "inheritable", "permitted", "ambient"])
      expect(process.capabilities[set]).toEqual([]);
    expect(process.noNewPrivileges).toBe(true);
    expect(process.args).toEqual(["sh", "-c", "echo hi"]);
  });

  it("gives a read-only root and a size-capped /tmp", () => {
    const s = spec();
    expect(s.root).toEqual({ path: "/images/busybox/rootfs", readonly: true });
    const tmp = s.mounts.find((m: any) => m.destination === "/tmp");
    expect(tmp.options).toContain(`size=${8 << 20}`);
  });

  it("isolates the network with an empty namespace of its own", () => {
    const types = spec().linux.namespaces.map((n: any) => n.type);
    expect(types).toEqual(
      expect.arrayContaining(["network", "pid", "mount", "ipc", "uts", "cgroup", "user"]),
    );
    expect(spec().linux.namespaces.find((n: any) => n.type === "network").path).toBeUndefined();
  });

  it("maps root to an unprivileged host range only when asked", () => {
    expect(spec().linux.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    const without = spec({ userNamespace: false });
    expect(without.linux.uidMappings).toBeUndefined();
    expect(without.linux.namespaces.map((n: any) => n.type)).not.toContain("user");
  });

  it("carries the cgroup limits", () => {
    const { linux } = spec();
    expect(linux.cgroupsPath).toBe("/sandbox-playground/x/sbpg-1");
    expect(linux.resources.memory).toEqual({ limit: 64 << 20, swap: 64 << 20 });
    expect(linux.resources.pids).toEqual({ limit: 32 });
    expect(linux.resources.cpu).toEqual({ shares: 256 });
    expect(linux.resources.devices).toEqual([{ allow: false, access: "rwm" }]);
  });

  it("denies the privileged syscalls with EPERM, and only when seccomp is on", () => {
    const { linux } = spec();
    expect(linux.seccomp.defaultAction).toBe("SCMP_ACT_ALLOW");
    expect(linux.seccomp.syscalls[0]).toMatchObject({ action: "SCMP_ACT_ERRNO", errnoRet: 1 });
    for (const call of ["mount", "unshare", "setns", "bpf", "ptrace", "kexec_load", "init_module"])
      expect(deniedSyscalls).toContain(call);
    expect(spec({ seccomp: false }).linux.seccomp).toBeUndefined();
  });

  it("refuses mknod of character and block devices only, since gVisor checks no CAP_MKNOD", () => {
    const rules = spec().linux.seccomp.syscalls.filter((r: any) => r.args);
    const refused = rules.map((r: any) => [r.names[0], r.args[0].index, r.args[0].valueTwo]);
    expect(refused).toEqual([
      ["mknod", 1, 0o020000],
      ["mknod", 1, 0o060000],
      ["mknodat", 2, 0o020000],
      ["mknodat", 2, 0o060000],
    ]);
    for (const rule of rules) {
      expect(rule).toMatchObject({ action: "SCMP_ACT_ERRNO", errnoRet: 1 });
      expect(rule.args).toEqual([
        expect.objectContaining({ value: 0o170000, op: "SCMP_CMP_MASKED_EQ" }),
      ]);
    }
  });
});
