import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  launchScript,
  resumeLine,
  runCommandLine,
  sessionCommandLine,
  sessionExecLine,
  sessionLaunchScript,
} from "./guest-launch";
import { buildQemuArgs, guestMemoryMiB, kernelCommandLine } from "./qemu-args";

const input = {
  name: "sbpg-abc",
  accel: "tcg" as const,
  memoryBytes: 256 * 1024 * 1024,
  kernelPath: "/c/vmlinux",
  initramfsPath: "/c/initramfs.cpio",
  rootfsPath: "/images/busybox/rootfs",
  launch: { runSharePath: "/run/x/sbpg-abc/run" },
  controlSocketPath: "/run/x/sbpg-abc/ctl.sock",
  qmpSocketPath: "/run/x/sbpg-abc/qmp.sock",
};

const valueOf = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe("buildQemuArgs for the snapshot", () => {
  const snapshotInput = (
    incoming: string | null,
    vaccelSocketPath: string | null = null,
    terminalSocketPaths: string[] = [],
  ) => ({
    ...input,
    vaccelSocketPath,
    terminalSocketPaths,
    launch: { snapshot: { ramPath: "/c/snap/ram", incoming, terminalPorts: 2 } },
  });
  /** The devices and memory of a command line: what QEMU checks between the saved VM and a restored one. */
  const machineOf = (args: string[]) =>
    args
      .filter(
        (arg, i) => ["-device", "-m"].includes(args[i - 1] ?? "") || arg.startsWith("microvm"),
      )
      .join(" ");

  it("saves from a shared RAM file and restores from it privately, with the same devices", () => {
    const saved = buildQemuArgs(snapshotInput(null));
    const restored = buildQemuArgs(snapshotInput("fd:3", "/run/x/vaccel.sock"));
    expect(valueOf(saved, "-M")).toBe("microvm,memory-backend=ram");
    expect(valueOf(saved, "-object")).toBe(
      "memory-backend-file,id=ram,size=256M,mem-path=/c/snap/ram,share=on",
    );
    expect(valueOf(restored, "-object")).toBe(
      "memory-backend-file,id=ram,size=256M,mem-path=/c/snap/ram,share=off",
    );
    expect(saved).not.toContain("-incoming");
    // QEMU 7.2 takes x-ignore-shared over QMP only: the restored VM waits for migrate-incoming.
    expect(valueOf(restored, "-incoming")).toBe("defer");
    expect(machineOf(restored)).toBe(machineOf(saved));
    // The vAccel port exists in both; only the restored VM's leads to an agent.
    expect(saved).toContain("null,id=vaccel");
    expect(restored).toContain("socket,id=vaccel,path=/run/x/vaccel.sock");
    expect(valueOf(saved, "-append")).toBe(`${kernelCommandLine} sbpg.snapshot`);
    // Its session ports too, in the saved VM leading nowhere.
    expect(saved).toEqual(expect.arrayContaining(["null,id=term0", "null,id=term1"]));
    expect(saved.join(" ")).not.toContain("mount_tag=run");
  });

  it("hands a restored VM its seed, clock, /tmp and whether it is pooled on one line", () => {
    const line = resumeLine(Buffer.alloc(64, 0xab), 1796140000123.7, 8 << 20, false);
    expect(line).toBe(`resume ${"ab".repeat(64)} 1796140000123 8388608 0\n`);
    expect(resumeLine(Buffer.alloc(64, 0xab), 1, 1024, true)).toMatch(/ 1024 1\n$/);
  });

  it("asks a restored VM for its vAccel port only when told", () => {
    expect(runCommandLine(["true"], 1024, true)).toBe(
      "run tmpfs_bytes=1024; vaccel=1; set -- 'true'\n",
    );
    expect(runCommandLine(["true"], 1024)).toBe("run tmpfs_bytes=1024; set -- 'true'\n");
  });
});

describe("buildQemuArgs", () => {
  it("builds a microvm with no network, no firmware, the kernel booted directly", () => {
    const args = buildQemuArgs(input);
    expect(valueOf(args, "-M")).toBe("microvm");
    expect(valueOf(args, "-accel")).toBe("tcg,tb-size=256");
    expect(valueOf(args, "-m")).toBe("256M");
    expect(valueOf(args, "-smp")).toBe("1");
    expect(valueOf(args, "-kernel")).toBe("/c/vmlinux");
    expect(valueOf(args, "-initrd")).toBe("/c/initramfs.cpio");
    expect(valueOf(args, "-append")).toBe(kernelCommandLine);
    expect(args).toEqual(expect.arrayContaining(["-nodefaults", "-no-reboot", "-no-user-config"]));
    expect(args.join(" ")).not.toMatch(/netdev|virtio-net|-nic/);
  });

  it("uses the default CPU model under TCG and the host's under KVM", () => {
    expect(buildQemuArgs(input)).not.toContain("-cpu");
    expect(valueOf(buildQemuArgs({ ...input, accel: "kvm" }), "-cpu")).toBe("host");
  });

  it("shares the rootfs and the run folder read-only and connects the control port to our socket", () => {
    const joined = buildQemuArgs(input).join(" ");
    expect(joined).toContain(
      "local,id=fs0,path=/images/busybox/rootfs,security_model=none,readonly=on",
    );
    expect(joined).toContain("virtio-9p-device,fsdev=fs0,mount_tag=root");
    expect(joined).toContain("virtio-9p-device,fsdev=fs1,mount_tag=run");
    expect(joined).toContain("socket,id=c0,path=/run/x/sbpg-abc/ctl.sock ");
    expect(joined).toContain("virtserialport,chardev=c0,name=ctl");
  });

  it("boots a warm-pool VM without a run share, its /tmp size on the kernel command line", () => {
    const args = buildQemuArgs({ ...input, launch: { poolTmpfsBytes: 1024 } });
    expect(valueOf(args, "-append")).toBe(`${kernelCommandLine} sbpg.pool=1024`);
    expect(args.join(" ")).not.toContain("mount_tag=run");
    expect(args.join(" ")).toContain("virtserialport,chardev=c0,name=ctl");
  });

  it("connects QEMU's monitor (QMP) to our socket as a client, for the reason a VM stops", () => {
    const args = buildQemuArgs(input);
    expect(args).toEqual(
      expect.arrayContaining([
        "socket,id=qmp,path=/run/x/sbpg-abc/qmp.sock",
        "chardev=qmp,mode=control",
      ]),
    );
    expect(args.join(" ")).not.toMatch(/server=on|server,/);
  });

  it("escapes commas in paths, as QEMU's option syntax wants", () => {
    const joined = buildQemuArgs({ ...input, rootfsPath: "/a,b" }).join(" ");
    expect(joined).toContain("path=/a,,b,security_model");
  });

  it("puts the resource name on the command line, where reap looks for it", () => {
    expect(valueOf(buildQemuArgs(input), "-name")).toBe("sbpg-abc");
  });

  it("has the TSC arguments without which a TCG guest can hang", () => {
    expect(kernelCommandLine).toContain("tsc_early_khz=");
    expect(kernelCommandLine).toContain("no_timer_check");
  });
});

describe("guestMemoryMiB", () => {
  it("rounds up to whole MiB and keeps a floor the guest boots with", () => {
    expect(guestMemoryMiB(0)).toBe(128);
    expect(guestMemoryMiB(64 * 1024 * 1024)).toBe(128);
    expect(guestMemoryMiB(512 * 1024 * 1024 + 1)).toBe(513);
  });
});

describe("the vAccel port", () => {
  it("is a second virtio-serial port that connects to the run's agent socket, only when asked", () => {
    expect(buildQemuArgs(input).join(" ")).not.toMatch(/vaccel/);
    const args = buildQemuArgs({ ...input, vaccelSocketPath: "/run/x/vaccel/sbpg-abc/agent.sock" });
    expect(args).toEqual(
      expect.arrayContaining([
        "socket,id=vaccel,path=/run/x/vaccel/sbpg-abc/agent.sock",
        "virtserialport,chardev=vaccel,name=vaccel",
      ]),
    );
    // A client chardev: QEMU connects to the agent, it does not listen.
    expect(args.join(" ")).not.toMatch(/server=on|server,/);
  });

  it("is asked for in the launch file", () => {
    expect(launchScript(["true"], 1024, true)).toBe("tmpfs_bytes=1024\nvaccel=1\nset -- 'true'\n");
    expect(launchScript(["true"], 1024)).not.toMatch(/vaccel/);
  });
});

describe("a session", () => {
  it("has one virtconsole port per terminal, each to our socket, named in order", () => {
    expect(buildQemuArgs(input).join(" ")).not.toMatch(/virtconsole/);
    const args = buildQemuArgs({
      ...input,
      terminalSocketPaths: ["/run/x/sbpg-abc.tty/t0.sock", "/run/x/sbpg-abc.tty/t1.sock"],
    });
    const consoles = args.filter((a) => a.startsWith("virtconsole,"));
    expect(consoles).toEqual([
      "virtconsole,chardev=term0,name=term0",
      "virtconsole,chardev=term1,name=term1",
    ]);
    expect(args).toEqual(
      expect.arrayContaining([
        "socket,id=term0,path=/run/x/sbpg-abc.tty/t0.sock",
        "socket,id=term1,path=/run/x/sbpg-abc.tty/t1.sock",
      ]),
    );
    // After the control port: the guest finds that one by name, the consoles become hvc0, hvc1.
    expect(args.indexOf(consoles[0])).toBeGreaterThan(
      args.indexOf("virtserialport,chardev=c0,name=ctl"),
    );
  });

  it("restored from the snapshot, has the saved VM's ports, its own to our sockets", () => {
    const snapshot = (paths: string[]) => ({
      ...input,
      terminalSocketPaths: paths,
      launch: { snapshot: { ramPath: "/c/ram", incoming: "fd:3", terminalPorts: 3 } },
    });
    const forRun = buildQemuArgs(snapshot([]));
    const forSession = buildQemuArgs(snapshot(["/v/t0.sock", "/v/t1.sock", "/v/t2.sock"]));
    const devices = (args: string[]) => args.filter((_, i) => args[i - 1] === "-device");
    expect(devices(forSession)).toEqual(devices(forRun));
    expect(forRun.filter((a) => a.startsWith("null,id=term"))).toHaveLength(3);
    expect(forSession).toContain("socket,id=term2,path=/v/t2.sock");
    expect(() => buildQemuArgs(snapshot(["a", "b", "c", "d"]))).toThrow(/4 terminal sockets/);
  });

  it("is started in a waiting VM by one run line with the size of its home", () => {
    expect(sessionCommandLine(1024, 2048)).toBe("run tmpfs_bytes=1024; session=2048; set --\n");
  });

  it("says so in its launch file, with the size of its home", () => {
    expect(sessionLaunchScript(1024, 2048)).toBe("tmpfs_bytes=1024\nsession=2048\nset --\n");
  });

  const shell = ["/bin/busybox", "/usr/bin/busybox"].find(existsSync);
  it.runIf(shell)(
    "sends a command as one line whose words the guest's shell gets as sent",
    async () => {
      const awkward = ["sh", "-c", "echo it's $HOME; `x`", "two\nlines\n", "", "back\\slash"];
      const line = sessionExecLine(7, awkward);
      expect(line.split("\n")).toHaveLength(2);
      // As the init's loop reads it: `read -r verb id rest`, then eval "set -- $rest".
      const init = `nl='\n'\nread -r verb id rest\neval "set -- $rest"\nprintf '%s\\0' "$verb" "$id" "$@"`;
      const child = promisify(execFile)(shell as string, ["sh", "-c", init]);
      child.child.stdin?.end(line);
      const { stdout } = await child;
      expect(stdout.split("\0").slice(0, -1)).toEqual(["exec", "7", ...awkward]);
    },
  );
});
