// A hardened OCI runtime spec: no network, read-only root, no capabilities, seccomp, user namespace, cgroup limits.
import type { SandboxLimits } from "../engine/driver";

/** Host uid/gid range the sandbox's root maps to (nobody on the host owns these). */
export const userNamespaceBase = 100_000;
export const userNamespaceSize = 65_536;

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** The part of the OCI runtime spec's linux.seccomp the playground writes (seccomp-bpf.ts compiles it too). */
export interface OciSeccomp {
  defaultAction: string;
  architectures: string[];
  syscalls: Array<{
    names: string[];
    action: string;
    errnoRet?: number;
    args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
  }>;
}

export interface OciSpecInput {
  rootfsPath: string;
  command: string[];
  hostname: string;
  limits: SandboxLimits;
  /** e.g. "/sandbox-playground/sbpg-abc": one cgroup per sandbox under the playground's parent. */
  cgroupsPath: string;
  userNamespace: boolean;
  seccomp: boolean;
  /** Mounted after the standard ones (e.g. the vAccel socket folder); everything else stays as hardened. */
  extraMounts?: OciMount[];
  /** Added to the workload's environment, as NAME=value. */
  extraEnv?: string[];
}

export function buildOciSpec(input: OciSpecInput): Record<string, unknown> {
  const { limits } = input;
  const namespaces = [
    { type: "pid" },
    { type: "ipc" },
    { type: "uts" },
    { type: "mount" },
    // A fresh network namespace holds only a loopback: no route to the host or the internet.
    { type: "network" },
    { type: "cgroup" },
    ...(input.userNamespace ? [{ type: "user" }] : []),
  ];
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: input.command,
      env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/root",
        "TERM=xterm",
        ...(input.extraEnv ?? []),
      ],
      cwd: "/",
      capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
      rlimits: [
        { type: "RLIMIT_NOFILE", hard: 256, soft: 256 },
        { type: "RLIMIT_CORE", hard: 0, soft: 0 },
      ],
      noNewPrivileges: true,
    },
    root: { path: input.rootfsPath, readonly: true },
    hostname: input.hostname,
    mounts: [
      {
        destination: "/proc",
        type: "proc",
        source: "proc",
        options: ["nosuid", "noexec", "nodev"],
      },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=1m"],
      },
      {
        destination: "/dev/mqueue",
        type: "mqueue",
        source: "mqueue",
        options: ["nosuid", "noexec", "nodev"],
      },
      {
        destination: "/sys",
        type: "sysfs",
        source: "sysfs",
        options: ["nosuid", "noexec", "nodev", "ro"],
      },
      {
        destination: "/tmp",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "nodev", "mode=1777", `size=${limits.tmpfsBytes}`],
      },
      ...(input.extraMounts ?? []),
    ],
    linux: {
      ...(input.userNamespace
        ? {
            uidMappings: [{ containerID: 0, hostID: userNamespaceBase, size: userNamespaceSize }],
            gidMappings: [{ containerID: 0, hostID: userNamespaceBase, size: userNamespaceSize }],
          }
        : {}),
      cgroupsPath: input.cgroupsPath,
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        memory: { limit: limits.memoryBytes, swap: limits.memoryBytes },
        pids: { limit: limits.pids },
        cpu: { shares: limits.cpuShares },
      },
      namespaces,
      ...(input.seccomp ? { seccomp: defaultSeccompProfile() } : {}),
      maskedPaths: [
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/fs/cgroup",
      ],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

/**
 * Deny-list seccomp: everything a shell needs works; syscalls that reach into the kernel's
 * privileged or rarely hardened corners fail with EPERM. Same spirit as Docker's default profile.
 */
export function defaultSeccompProfile(): OciSeccomp {
  return {
    defaultAction: "SCMP_ACT_ALLOW",
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    syscalls: [
      {
        names: deniedSyscalls,
        action: "SCMP_ACT_ERRNO",
        errnoRet: 1,
      },
      ...deviceNodeRules,
    ],
  };
}

/**
 * mknod of a character or block device fails with EPERM; FIFOs and sockets stay allowed. Linux already refuses
 * it without CAP_MKNOD in the host's user namespace, gVisor's Sentry does not check the capability at all.
 */
const fileTypeMask = 0o170000;
const deviceNodeRules = [
  { call: "mknod", modeArg: 1 },
  { call: "mknodat", modeArg: 2 },
].flatMap(({ call, modeArg }) =>
  [0o020000, 0o060000].map((fileType) => ({
    names: [call],
    action: "SCMP_ACT_ERRNO",
    errnoRet: 1,
    args: [{ index: modeArg, value: fileTypeMask, valueTwo: fileType, op: "SCMP_CMP_MASKED_EQ" }],
  })),
);

export const deniedSyscalls = [
  "acct",
  "add_key",
  "bpf",
  "clock_adjtime",
  "clock_settime",
  "create_module",
  "delete_module",
  "finit_module",
  "get_kernel_syms",
  "get_mempolicy",
  "init_module",
  "ioperm",
  "iopl",
  "kcmp",
  "kexec_file_load",
  "kexec_load",
  "keyctl",
  "lookup_dcookie",
  "mbind",
  "mount",
  "move_mount",
  "move_pages",
  "name_to_handle_at",
  "nfsservctl",
  "open_by_handle_at",
  "open_tree",
  "fsopen",
  "fsconfig",
  "fsmount",
  "fspick",
  "perf_event_open",
  "personality",
  "pivot_root",
  "process_vm_readv",
  "process_vm_writev",
  "ptrace",
  "query_module",
  "quotactl",
  "reboot",
  "request_key",
  "set_mempolicy",
  "setns",
  "settimeofday",
  "swapoff",
  "swapon",
  "sysfs",
  "_sysctl",
  "umount",
  "umount2",
  "unshare",
  "uselib",
  "userfaultfd",
  "ustat",
  "vm86",
  "vm86old",
];
