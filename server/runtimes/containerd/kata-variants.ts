// The Kata Containers runtimes the playground knows, as installed by the kata-static release or kata-deploy.

export type KataId = "kata" | "kata-qemu" | "kata-clh" | "kata-fc" | "kata-rs";

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
  /** kata-runtime checks the Go runtime's hosts; kata-ctl the Rust runtime's. */
  checker: "kata-runtime" | "kata-ctl";
  /** QEMU reaches the guest agent over vhost-vsock; CLH, Firecracker and Dragonball over hybrid vsock (a unix socket). */
  needsVhostVsock: boolean;
  /** A reason the playground's launch path cannot serve this variant even when it is installed. */
  unsupported: string | null;
}

/** kata-static unpacks to /opt/kata; distribution packages use /usr. */
export const kataShimDirs = ["/opt/kata/bin", "/opt/kata/runtime-rs/bin", "/usr/local/bin"];

const configDirs = [
  "/etc/kata-containers",
  "/opt/kata/share/defaults/kata-containers",
  "/usr/share/defaults/kata-containers",
];

const configs = (file: string, subdir = "") => configDirs.map((dir) => `${dir}${subdir}/${file}`);

export const kataVariants: KataVariant[] = [
  {
    id: "kata",
    name: "Kata Containers",
    runtimeType: "io.containerd.kata.v2",
    shimBinary: "containerd-shim-kata-v2",
    hypervisor: "as configured (QEMU by default)",
    configFiles: configs("configuration.toml"),
    checker: "kata-runtime",
    needsVhostVsock: true,
    unsupported: null,
  },
  {
    id: "kata-qemu",
    name: "Kata Containers (QEMU)",
    runtimeType: "io.containerd.kata-qemu.v2",
    shimBinary: "containerd-shim-kata-qemu-v2",
    hypervisor: "QEMU",
    configFiles: configs("configuration-qemu.toml"),
    checker: "kata-runtime",
    needsVhostVsock: true,
    unsupported: null,
  },
  {
    id: "kata-clh",
    name: "Kata Containers (Cloud Hypervisor)",
    runtimeType: "io.containerd.kata-clh.v2",
    shimBinary: "containerd-shim-kata-clh-v2",
    hypervisor: "Cloud Hypervisor",
    configFiles: configs("configuration-clh.toml"),
    checker: "kata-runtime",
    needsVhostVsock: false,
    unsupported: null,
  },
  {
    id: "kata-fc",
    name: "Kata Containers (Firecracker)",
    runtimeType: "io.containerd.kata-fc.v2",
    shimBinary: "containerd-shim-kata-fc-v2",
    hypervisor: "Firecracker",
    configFiles: configs("configuration-fc.toml"),
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
    configFiles: configs("configuration-dragonball.toml", "/runtime-rs"),
    checker: "kata-ctl",
    needsVhostVsock: false,
    unsupported: null,
  },
];
