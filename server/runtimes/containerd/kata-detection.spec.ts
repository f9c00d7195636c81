// Kata detection against fake hosts: what is missing is named, what is there is checked.
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../process-exit";
import { detectKata, parseCriRuntimes, parseHypervisorPath, type KataHost } from "./kata-detection";
import { kataVariants, type KataId } from "./kata-variants";

const variant = (id: KataId) => kataVariants.find((v) => v.id === id)!;

interface FakeHost {
  executables?: Record<string, string>;
  files?: Record<string, string>;
  run?: (file: string, args: string[]) => CommandResult;
  root?: boolean;
}

function fakeHost(fake: FakeHost): KataHost & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    findExecutable: async (name) => fake.executables?.[name] ?? null,
    exists: async (file) => file in (fake.files ?? {}),
    readFile: async (file) => fake.files?.[file] ?? null,
    run: async (file, args) => {
      calls.push([file, ...args]);
      return fake.run?.(file, args) ?? { code: 0, stdout: "", stderr: "" };
    },
    isRoot: () => fake.root ?? true,
  };
}

const qemuConfig =
  '[hypervisor.qemu]\npath = "/opt/kata/bin/qemu-system-x86_64"\nkernel = "/opt/kata/share/kata-containers/vmlinux.container"\n\n[agent.kata]\n';

const installedQemu: FakeHost = {
  executables: {
    "containerd-shim-kata-qemu-v2": "/usr/local/bin/containerd-shim-kata-qemu-v2",
    "kata-runtime": "/opt/kata/bin/kata-runtime",
  },
  files: {
    "/opt/kata/share/defaults/kata-containers/configuration-qemu.toml": qemuConfig,
    "/opt/kata/bin/qemu-system-x86_64": "",
    "/dev/kvm": "",
    "/dev/vhost-vsock": "",
    "/etc/containerd/config.toml":
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu]\n  runtime_type = "io.containerd.kata-qemu.v2"\n',
  },
  run: (file) =>
    file.endsWith("v2")
      ? {
          code: 0,
          stdout:
            'Kata Containers containerd shim (Golang): id: "io.containerd.kata.v2", version: 3.2.0, commit: abc',
          stderr: "",
        }
      : { code: 0, stdout: "System is capable of running Kata Containers", stderr: "" },
};

describe("Kata detection", () => {
  it("on this kind of host (no Kata, /dev/kvm only) names every missing piece", async () => {
    const host = fakeHost({ files: { "/dev/kvm": "" } });
    const result = await detectKata(variant("kata-qemu"), host);
    expect(result.available).toBe(false);
    expect(result.reason).toContain(
      "containerd-shim-kata-qemu-v2 is not on PATH or in /opt/kata/bin, /opt/kata/runtime-rs/bin, /usr/local/bin",
    );
    expect(result.reason).toContain(
      "no configuration-qemu.toml in /opt/kata/share/defaults/kata-containers/runtimes/qemu, /etc/kata-containers",
    );
    expect(result.reason).toContain("/dev/vhost-vsock is missing");
    expect(result.reason).not.toContain("/dev/kvm");
    expect(result.install).toMatch(/Kata Containers 4\.x/);
    expect(result.install).toContain("enable_debug = true");
    expect(host.calls).toEqual([]);
  });

  it("needs no vhost-vsock for Cloud Hypervisor (hybrid vsock) but needs /dev/kvm", async () => {
    const result = await detectKata(variant("kata-clh"), fakeHost({}));
    expect(result.reason).toContain("/dev/kvm is missing");
    expect(result.reason).not.toContain("vhost-vsock");
  });

  it("looks for runtime-rs's Dragonball configuration in its own folder", async () => {
    const result = await detectKata(variant("kata-rs"), fakeHost({ files: { "/dev/kvm": "" } }));
    expect(result.reason).toContain("containerd-shim-kata-dragonball-v2");
    expect(result.reason).toContain("/opt/kata/share/defaults/kata-containers/runtime-rs");
  });

  it("finds kata-deploy's layout (4.1.0) for both runtimes of one hypervisor and says how to link the shim", async () => {
    const files: Record<string, string> = {
      "/dev/kvm": "",
      "/dev/vhost-vsock": "",
      "/opt/kata/bin/containerd-shim-kata-v2": "",
      "/opt/kata/runtime-rs/bin/containerd-shim-kata-v2": "",
      "/opt/kata/share/defaults/kata-containers/runtimes/qemu/configuration-qemu.toml": qemuConfig,
      "/opt/kata/share/defaults/kata-containers/runtime-rs/runtimes/qemu-runtime-rs/configuration-qemu-runtime-rs.toml":
        qemuConfig,
      "/opt/kata/bin/qemu-system-x86_64": "",
    };
    files["/opt/kata/containerd/config.d/kata-deploy.toml"] = [
      '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata-qemu-runtime-rs]',
      'runtime_type = "io.containerd.kata-qemu-runtime-rs.v2"',
      'runtime_path = "/opt/kata/runtime-rs/bin/containerd-shim-kata-v2"',
    ].join("\n");
    const go = await detectKata(variant("kata-qemu"), fakeHost({ files }));
    expect(go.details.configuration).toBe(
      "/opt/kata/share/defaults/kata-containers/runtimes/qemu/configuration-qemu.toml",
    );
    expect(go.reason).toContain(
      "kata-deploy installed /opt/kata/bin/containerd-shim-kata-v2 for kata-qemu; link it: ln -s /opt/kata/bin/containerd-shim-kata-v2 /usr/local/bin/containerd-shim-kata-qemu-v2",
    );
    const rust = await detectKata(variant("kata-qemu-runtime-rs"), fakeHost({ files }));
    expect(rust.details).toMatchObject({
      runtimeType: "io.containerd.kata-qemu-runtime-rs.v2",
      configuration:
        "/opt/kata/share/defaults/kata-containers/runtime-rs/runtimes/qemu-runtime-rs/configuration-qemu-runtime-rs.toml",
      hypervisor: "qemu",
      criRuntime: "kata-qemu-runtime-rs in /opt/kata/containerd/config.d/kata-deploy.toml",
    });
    expect(rust.reason).toContain(
      "link it: ln -s /opt/kata/runtime-rs/bin/containerd-shim-kata-v2 /usr/local/bin/containerd-shim-kata-qemu-runtime-rs-v2",
    );
  });

  it("runs kata-ctl for a linked runtime-rs shim and reports it available", async () => {
    const host = fakeHost({
      executables: {
        "containerd-shim-kata-clh-runtime-rs-v2":
          "/usr/local/bin/containerd-shim-kata-clh-runtime-rs-v2",
        "kata-ctl": "/opt/kata/runtime-rs/bin/kata-ctl",
      },
      files: {
        "/dev/kvm": "",
        "/opt/kata/share/defaults/kata-containers/runtime-rs/configuration-clh-runtime-rs.toml":
          '[hypervisor.cloud-hypervisor]\npath = "/opt/kata/bin/cloud-hypervisor"\n',
        "/opt/kata/bin/cloud-hypervisor": "",
      },
      run: () => ({ code: 0, stdout: "kata-ctl version 4.1.0", stderr: "" }),
    });
    const result = await detectKata(variant("kata-clh-runtime-rs"), host);
    expect(result).toMatchObject({ available: true, version: "4.1.0" });
    expect(host.calls).toContainEqual(["/opt/kata/runtime-rs/bin/kata-ctl", "check", "all"]);
  });

  it("says why Firecracker cannot serve the playground even when installed", async () => {
    const result = await detectKata(variant("kata-fc"), fakeHost({}));
    expect(result.reason).toMatch(/block device .*devmapper/);
  });

  it("reports an installed variant available with version, hypervisor and CRI runtime, after kata-runtime check", async () => {
    const host = fakeHost(installedQemu);
    const result = await detectKata(variant("kata-qemu"), host);
    expect(result).toMatchObject({
      available: true,
      version: "3.2.0",
      reason: null,
      details: {
        shim: "/usr/local/bin/containerd-shim-kata-qemu-v2",
        configuration: "/opt/kata/share/defaults/kata-containers/configuration-qemu.toml",
        hypervisor: "qemu",
        criRuntime: "kata-qemu in /etc/containerd/config.toml",
      },
    });
    expect(host.calls).toContainEqual([
      "/opt/kata/bin/kata-runtime",
      "--config",
      "/opt/kata/share/defaults/kata-containers/configuration-qemu.toml",
      "check",
      "--no-network-checks",
    ]);
  });

  it("turns a failing kata-runtime check into the reason", async () => {
    const host = fakeHost({
      ...installedQemu,
      run: (file) =>
        file.endsWith("kata-runtime")
          ? {
              code: 1,
              stdout: "",
              stderr:
                'time="x" level=error msg="kernel property not found" name=vhost_vsock\nERROR: System is not capable of running Kata Containers',
            }
          : { code: 0, stdout: "version: 3.2.0", stderr: "" },
    });
    const result = await detectKata(variant("kata-qemu"), host);
    expect(result.available).toBe(false);
    expect(result.reason).toContain("kata-runtime --config");
    expect(result.reason).toContain("System is not capable of running Kata Containers");
  });

  it("notices a hypervisor binary the configuration names but the host lacks", async () => {
    const files = { ...installedQemu.files };
    delete files["/opt/kata/bin/qemu-system-x86_64"];
    const result = await detectKata(variant("kata-qemu"), fakeHost({ ...installedQemu, files }));
    expect(result.reason).toContain("the hypervisor /opt/kata/bin/qemu-system-x86_64 named in");
  });

  it("refuses when not root", async () => {
    const result = await detectKata(
      variant("kata-qemu"),
      fakeHost({ ...installedQemu, root: false }),
    );
    expect(result.reason).toContain("not running as root");
  });
});

describe("containerd and Kata configuration parsing", () => {
  it("finds CRI runtimes in v1, v2 and v3 containerd configs", () => {
    const toml = [
      "version = 2",
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '  runtime_type = "io.containerd.runc.v2"',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-clh]',
      '  runtime_type = "io.containerd.kata-clh.v2"',
      '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-clh.options]',
      '    ConfigPath = "/opt/kata/share/defaults/kata-containers/configuration-clh.toml"',
      "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.kata]",
      "  runtime_type = 'io.containerd.kata.v2'",
      "[plugins.cri.containerd.runtimes.old]",
      '  runtime_type = "io.containerd.kata-fc.v2"',
    ].join("\n");
    expect(parseCriRuntimes(toml)).toEqual({
      runc: "io.containerd.runc.v2",
      "kata-clh": "io.containerd.kata-clh.v2",
      kata: "io.containerd.kata.v2",
      old: "io.containerd.kata-fc.v2",
    });
  });

  it("reads the hypervisor section and its path", () => {
    expect(parseHypervisorPath(qemuConfig)).toEqual({
      section: "qemu",
      path: "/opt/kata/bin/qemu-system-x86_64",
    });
    expect(parseHypervisorPath('[hypervisor.dragonball]\nkernel = "k"\n[agent.kata]\n')).toEqual({
      section: "dragonball",
      path: null,
    });
    expect(parseHypervisorPath("[runtime]\n")).toBeNull();
  });
});
