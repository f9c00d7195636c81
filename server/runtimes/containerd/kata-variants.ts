// The Kata Containers runtimes the playground knows, as installed by the kata-static release or kata-deploy.

export type KataId =
  | "kata"
  | "kata-qemu"
  | "kata-clh"
  | "kata-fc"
  | "kata-rs"
  | "kata-qemu-runtime-rs"
  | "kata-clh-runtime-rs";

export interface KataVariant {
  id: KataId;
  name: string;
  /** What `ctr run --runtime` takes; containerd derives the shim binary's name from it. */
  runtimeType: string;
  shimBinary: string;
  /** The hypervisor the variant's configuration selects. */
  hypervisor: string;
  /** Where Kata looks for the variant's configuration, first match wins (as the shim itself does). */
  configFiles: string[];
  /** The Go runtime (src/runtime) or the Rust one (src/runtime-rs). */
  runtime: "go" | "rust";
  /** kata-deploy's name for it (its RuntimeClass is kata-<name>), or null where kata-deploy ships none. */
  deployShim: string | null;
  /**
   * Where the guest console lines go (Kata 4.1.0): the Go shim logs them into containerd's log, runtime-rs
   * logs QEMU's and Cloud Hypervisor's into the systemd journal, Dragonball serves them on a console.sock.
   */
  console: "shim-log" | "journal" | "console-sock";
  /** kata-runtime checks the Go runtime's hosts; kata-ctl the Rust runtime's. */
  checker: "kata-runtime" | "kata-ctl";
  /** QEMU reaches the guest agent over vhost-vsock; CLH, Firecracker and Dragonball over hybrid vsock (a unix socket). */
  needsVhostVsock: boolean;
  /** A reason the playground's launch path cannot serve this variant even when it is installed. */
  unsupported: string | null;
}

/** kata-static unpacks to /opt/kata; distribution packages use /usr. */
export const kataShimDirs = ["/opt/kata/bin", "/opt/kata/runtime-rs/bin", "/usr/local/bin"];

/**
 * kata-deploy (Kata 4.1.0, tools/packaging/kata-deploy/binary/src/utils/system.rs) installs one shim binary per
 * runtime and names it in containerd's config as the runtime_path of io.containerd.kata-<shim>.v2; it puts no
 * containerd-shim-kata-<shim>-v2 on PATH.
 */
export const kataDeployShims = {
  go: "/opt/kata/bin/containerd-shim-kata-v2",
  rust: "/opt/kata/runtime-rs/bin/containerd-shim-kata-v2",
} as const;

const configDirs = [
  "/etc/kata-containers",
  "/opt/kata/share/defaults/kata-containers",
  "/usr/share/defaults/kata-containers",
];

/**
 * Where each variant's configuration may be, first match wins: kata-deploy's per-shim copy (with its config.d
 * drop-ins beside it), then the shipped file in /etc, /opt/kata and /usr.
 */
function configs(file: string, runtime: "go" | "rust", deployShim: string | null): string[] {
  const subdir = runtime === "rust" ? "/runtime-rs" : "";
  const deployed = deployShim
    ? [
        `/opt/kata/share/defaults/kata-containers${subdir}/runtimes/${deployShim}/configuration-${deployShim}.toml`,
      ]
    : [];
  return [...deployed, ...configDirs.map((dir) => `${dir}${subdir}/${file}`)];
}

export const kataVariants: KataVariant[] = [
  {
    id: "kata",
    name: "Kata Containers",
    runtimeType: "io.containerd.kata.v2",
    shimBinary: "containerd-shim-kata-v2",
    hypervisor: "as configured (QEMU by default)",
    runtime: "go",
    deployShim: null,
    console: "shim-log",
    configFiles: configs("configuration.toml", "go", null),
    checker: "kata-runtime",
    needsVhostVsock: true,
    unsupported: null,
  },
  {
    id: "kata-qemu",
    name: "Kata Containers (Go runtime, QEMU)",
    runtimeType: "io.containerd.kata-qemu.v2",
    shimBinary: "containerd-shim-kata-qemu-v2",
    hypervisor: "QEMU",
    runtime: "go",
    deployShim: "qemu",
    console: "shim-log",
    configFiles: configs("configuration-qemu.toml", "go", "qemu"),
    checker: "kata-runtime",
    needsVhostVsock: true,
    unsupported: null,
  },
  {
    id: "kata-qemu-runtime-rs",
    name: "Kata Containers (Rust runtime, QEMU)",
    runtimeType: "io.containerd.kata-qemu-runtime-rs.v2",
    shimBinary: "containerd-shim-kata-qemu-runtime-rs-v2",
    hypervisor: "QEMU",
    runtime: "rust",
    deployShim: "qemu-runtime-rs",
    console: "journal",
    configFiles: configs("configuration-qemu-runtime-rs.toml", "rust", "qemu-runtime-rs"),
    checker: "kata-ctl",
    needsVhostVsock: true,
    unsupported: null,
  },
  {
    id: "kata-clh",
    name: "Kata Containers (Go runtime, Cloud Hypervisor)",
    runtimeType: "io.containerd.kata-clh.v2",
    shimBinary: "containerd-shim-kata-clh-v2",
    hypervisor: "Cloud Hypervisor",
    runtime: "go",
    deployShim: "clh",
    console: "shim-log",
    configFiles: configs("configuration-clh.toml", "go", "clh"),
    checker: "kata-runtime",
    needsVhostVsock: false,
    unsupported: null,
  },
  {
    id: "kata-clh-runtime-rs",
    name: "Kata Containers (Rust runtime, Cloud Hypervisor)",
    runtimeType: "io.containerd.kata-clh-runtime-rs.v2",
    shimBinary: "containerd-shim-kata-clh-runtime-rs-v2",
    hypervisor: "Cloud Hypervisor",
    runtime: "rust",
    deployShim: "clh-runtime-rs",
    console: "journal",
    configFiles: configs("configuration-clh-runtime-rs.toml", "rust", "clh-runtime-rs"),
    checker: "kata-ctl",
    needsVhostVsock: false,
    unsupported: null,
  },
  {
    id: "kata-fc",
    name: "Kata Containers (Firecracker)",
    runtimeType: "io.containerd.kata-fc.v2",
    shimBinary: "containerd-shim-kata-fc-v2",
    hypervisor: "Firecracker",
    runtime: "go",
    deployShim: "fc",
    console: "shim-log",
    configFiles: configs("configuration-fc.toml", "go", "fc"),
    checker: "kata-runtime",
    needsVhostVsock: false,
    unsupported:
      "Firecracker has no shared filesystem, so the rootfs must be a block device (containerd's devmapper snapshotter); the playground mounts a directory snapshot",
  },
  {
    id: "kata-rs",
    name: "Kata Containers (Rust runtime, Dragonball)",
    runtimeType: "io.containerd.kata-dragonball.v2",
    shimBinary: "containerd-shim-kata-dragonball-v2",
    hypervisor: "Dragonball (built into the shim)",
    runtime: "rust",
    deployShim: "dragonball",
    console: "console-sock",
    configFiles: configs("configuration-dragonball.toml", "rust", "dragonball"),
    checker: "kata-ctl",
    needsVhostVsock: false,
    unsupported: null,
  },
];
