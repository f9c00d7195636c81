// The QEMU command line of one microVM: no network device, no firmware, the kernel started directly.
import {
  controlPortName,
  poolBootParam,
  rootShareTag,
  runShareTag,
  sessionTerminalPortPrefix,
  snapshotBootParam,
  vaccelPortName,
} from "../../images/microvm/guest-protocol";

export type Accel = "kvm" | "tcg";

/**
 * TCG's translated-code buffer, bounded: QEMU 7.2's default is 1 GiB, charged to the VM's cgroup as it
 * fills, so a guest running much code (Node with onnxruntime) grew QEMU past its memory ceiling. Full,
 * the buffer is flushed and code is translated again.
 */
export const tcgCodeBufferMiB = 256;

export interface QemuArgsInput {
  name: string;
  accel: Accel;
  memoryBytes: number;
  kernelPath: string;
  initramfsPath: string;
  rootfsPath: string;
  /**
   * A cold VM reads its launch file from the run share; a warm-pool VM mounts a /tmp this big and waits for its
   * run; a snapshot VM is either the one saved (`save`) or one restored from it (`incoming`, QEMU's URI).
   */
  launch: { runSharePath: string } | { poolTmpfsBytes: number } | { snapshot: SnapshotLaunch };
  controlSocketPath: string;
  /** QEMU's monitor (QMP) connects here: its SHUTDOWN event says why the VM stopped (a guest reset, a power-off). */
  qmpSocketPath: string;
  /** The run's vAccel agent socket: QEMU connects a second virtio-serial port to it. */
  vaccelSocketPath?: string | null;
  /**
   * A session's terminals: one virtconsole port each (the guest's /dev/hvc<n>, in this order), to these sockets. A
   * snapshot VM has its snapshot's number of ports whatever it serves; those without a socket lead nowhere.
   */
  terminalSocketPaths?: string[];
}

/**
 * The saved VM and each restored one have the same devices (QEMU checks them), so both carry the vAccel port,
 * connected to nothing unless the restored VM's run asked for vAccel. Guest RAM is a file: the saved VM maps it
 * shared and writes its memory there; a restored VM maps it private and reads its pages from the page cache
 * copy-on-write. x-ignore-shared keeps the shared RAM out of the migration stream on both sides.
 */
export interface SnapshotLaunch {
  ramPath: string;
  /** The URI the restored VM's state comes from (QMP migrate-incoming); null: this is the VM being saved. */
  incoming: string | null;
  /**
   * Virtconsole ports for a session's shells, in the saved VM and in every restored one: a restored VM becomes a
   * session (from the pool or directly) only if the saved VM had the ports, and QEMU refuses a device set that
   * differs from the saved one.
   */
  terminalPorts: number;
}

/** Below this the guest's kernel and 9p page cache leave the workload too little; 72M is the least that boots. */
export const minGuestMemoryMiB = 128;

/**
 * tsc_early_khz + no_timer_check: without them a TCG guest calibrates against emulated timers and can hang.
 * loglevel=7: the whole boot log streams to the page (the demo's point); measured against `quiet`, it costs
 *   nothing visible here (workload start 1778 vs 1774 ms median under TCG).
 * panic=-1 with -no-reboot: a guest that panics ends QEMU at once instead of hanging.
 */
export const kernelCommandLine = [
  "console=ttyS0",
  "loglevel=7",
  "panic=-1",
  "tsc_early_khz=2100000",
  "no_timer_check",
].join(" ");

export function guestMemoryMiB(memoryBytes: number): number {
  return Math.max(minGuestMemoryMiB, Math.ceil(memoryBytes / (1024 * 1024)));
}

export function buildQemuArgs(input: QemuArgsInput): string[] {
  const { launch } = input;
  const snapshot = "snapshot" in launch ? launch.snapshot : null;
  const memoryMiB = guestMemoryMiB(input.memoryBytes);
  const fsdev = (id: string, dir: string, tag: string) => [
    "-fsdev",
    `local,id=${id},path=${escapeOption(dir)},security_model=none,readonly=on`,
    "-device",
    `virtio-9p-device,fsdev=${id},mount_tag=${tag}`,
  ];
  const vaccelChardev = input.vaccelSocketPath
    ? `socket,id=vaccel,path=${escapeOption(input.vaccelSocketPath)}`
    : snapshot
      ? "null,id=vaccel"
      : null;
  return [
    "-name",
    input.name,
    "-M",
    snapshot ? "microvm,memory-backend=ram" : "microvm",
    "-accel",
    input.accel === "tcg" ? `tcg,tb-size=${tcgCodeBufferMiB}` : input.accel,
    // TCG: QEMU's default model. -cpu max offers AVX2/FMA, which programs then use and which emulate ~15x slower.
    ...(input.accel === "kvm" ? ["-cpu", "host"] : []),
    "-m",
    `${memoryMiB}M`,
    ...(snapshot
      ? [
          "-object",
          `memory-backend-file,id=ram,size=${memoryMiB}M,mem-path=${escapeOption(snapshot.ramPath)},share=${snapshot.incoming ? "off" : "on"}`,
          // QEMU 7.2 sets x-ignore-shared only over QMP: the restored VM waits for it before it reads its state.
          ...(snapshot.incoming ? ["-incoming", "defer"] : []),
        ]
      : []),
    "-smp",
    "1",
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-serial",
    "stdio",
    "-no-reboot",
    "-kernel",
    input.kernelPath,
    "-initrd",
    input.initramfsPath,
    "-append",
    bootCommandLine(launch),
    ...fsdev("fs0", input.rootfsPath, rootShareTag),
    ...("runSharePath" in launch ? fsdev("fs1", launch.runSharePath, runShareTag) : []),
    // QEMU connects to our listening socket at start-up (not server=on): the host end exists before the guest
    // can write, and a guest write never blocks on an absent reader.
    "-device",
    "virtio-serial-device",
    "-chardev",
    `socket,id=c0,path=${escapeOption(input.controlSocketPath)}`,
    "-device",
    `virtserialport,chardev=c0,name=${controlPortName}`,
    "-chardev",
    `socket,id=qmp,path=${escapeOption(input.qmpSocketPath)}`,
    "-mon",
    "chardev=qmp,mode=control",
    // The agent listens before QEMU starts; the port's bytes are the guest's ttrpc stream, one connection per VM.
    ...(vaccelChardev
      ? [
          "-chardev",
          vaccelChardev,
          "-device",
          `virtserialport,chardev=vaccel,name=${vaccelPortName}`,
        ]
      : []),
    ...terminalPortArgs(input.terminalSocketPaths ?? [], snapshot?.terminalPorts),
  ];
}

function terminalPortArgs(socketPaths: string[], snapshotPorts: number | undefined): string[] {
  const ports = snapshotPorts ?? socketPaths.length;
  if (socketPaths.length > ports)
    throw new Error(`${socketPaths.length} terminal sockets for a VM with ${ports} terminal ports`);
  return Array.from({ length: ports }, (_, n) => [
    "-chardev",
    socketPaths[n] ? `socket,id=term${n},path=${escapeOption(socketPaths[n])}` : `null,id=term${n}`,
    "-device",
    `virtconsole,chardev=term${n},name=${sessionTerminalPortPrefix}${n}`,
  ]).flat();
}

function bootCommandLine(launch: QemuArgsInput["launch"]): string {
  if ("runSharePath" in launch) return kernelCommandLine;
  if ("snapshot" in launch) return `${kernelCommandLine} ${snapshotBootParam}`;
  return `${kernelCommandLine} ${poolBootParam}=${Math.floor(launch.poolTmpfsBytes)}`;
}

/** QEMU option values escape a comma by doubling it. */
export const escapeOption = (value: string) => value.replace(/,/g, ",,");
