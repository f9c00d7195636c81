// What the guest init and the host driver agree on: share tags, file names, console markers, control lines.
import type { PhaseOf } from "../../../lib/api/phases";

/** virtio-9p mount tags: the container rootfs, and the per-run folder with the launch file. */
export const rootShareTag = "root";
export const runShareTag = "run";
/** The file in the run share that the init sources: `set --` with the argv, plus settings. */
export const launchFileName = "launch.sh";
/** virtio-serial port name; the guest finds its /dev/vportNpM through /sys/class/virtio-ports. */
export const controlPortName = "ctl";

/**
 * Lines the init prints on the serial console. The console carries the boot log first and the workload's
 * output after the workload marker, so the marker is the exact boundary; the control channel cannot give
 * it, since it is another stream and needs modules that load after init starts.
 */
export const consoleMarkers = {
  init: "sbpg-guest:init",
  workload: "sbpg-guest:workload",
} as const;

/** Guest -> host lines on the control port: `phase <name>`, `error <text>`, `exit <code>`. */
export const controlPhases = [
  "modulesLoaded",
  "snapshotPoint",
  "seeded",
  "rootMounted",
  "ready",
] as const satisfies readonly PhaseOf<"microvm">[];

/**
 * `sbpg.pool=<bytes>` on the kernel command line boots a warm-pool VM: the init mounts the root and a /tmp of
 * that size, reports `phase ready`, and waits for one run command on the control port instead of reading
 * the run share.
 */
export const poolBootParam = "sbpg.pool";
/**
 * Host -> guest, the one line a pooled VM waits for: `run <the launch file's settings on one line>`, which the
 * init evaluates. A newline inside a word is spelled "$nl" (the init defines it), so the command stays one line.
 */
export const runCommandVerb = "run";

/**
 * `sbpg.snapshot` on the kernel command line boots the VM that is saved as the snapshot: the init loads its
 * modules and starts its resume helper, which reports `phase snapshotPoint` with nothing mounted over 9p (QEMU
 * refuses to migrate a VM whose guest has an export attached) and waits on the control port. The host saves it
 * there; each VM restored from it wakes up in that read and gets `resume <seed hex> <epoch ms> <tmpfs bytes> <warm>`: fresh entropy for its RNG, the wall
 * clock, the /tmp it mounts, and whether it is a warm-pool VM (1: it warms its caches first, see the init's
 * warm_up) before it reports `phase ready` and waits for a run like a warm-pool VM.
 */
export const snapshotBootParam = "sbpg.snapshot";
export const resumeVerb = "resume";
/** The static helper in the initramfs that reseeds the guest RNG, steps its clock and mounts its root and /tmp (guest-resume.c). */
export const resumeHelper = "sbpg-resume";
/** The static helper that starts a session's shell on its virtconsole port (guest-terminal.c). */
export const terminalHelper = "sbpg-term";
export const newlineVariable = "nl";

/**
 * The virtio-serial port whose host end is the run's vAccel agent socket (QEMU connects to it). The init gives the
 * workload that port as this device and VACCEL_RPC_ADDRESS=serial://<device>: not a vAccel scheme, the playground's
 * own (the guest client opens the device as a byte stream); a cold launch file says `vaccel=1` to ask for it.
 */
export const vaccelPortName = "vaccel";
export const guestVaccelDevice = "/dev/vaccel";

/**
 * An interactive session (a cold launch file that sets `session=<home bytes>`, or the same in the run line a VM booted
 * ahead waits for, so a warm-pool or restored VM serves sessions too): the init mounts the root, /tmp and a
 * writable /root, reports `phase ready`, then serves these host -> guest lines on the control port until QEMU is
 * killed. Terminals are virtconsole ports named `term<n>`, which the guest sees as /dev/hvc<n>: real ttys, so the
 * guest's line discipline echoes and its shell gets SIGWINCH from `stty rows/cols`.
 */
export const sessionTerminalPortPrefix = "term";
export const sessionVerbs = {
  /** `term <n> <rows> <cols>`: a login-less `sh -i` on /dev/hvc<n>, the controlling tty of its own session. */
  terminal: "term",
  /** `size <n> <rows> <cols>`: the tty's window size (the shell gets SIGWINCH). */
  size: "size",
  /** `hangup <n> <HUP|KILL>`: signals the terminal's shell. */
  hangup: "hangup",
  /** `exec <id> <words, quoted as for run>`: a command beside the shells, its output back as `out` lines. */
  exec: "exec",
  /** `kill <id>`: SIGKILL to the command's process group. */
  kill: "kill",
} as const;

/**
 * Guest -> host lines of a session: `termexit <n> <code>` when a terminal's shell ends; `out <id> <base64>` for a
 * command's output (stdout and stderr together, each line decodable alone) and `done <id> <code>` after its last.
 */
export const sessionReplies = {
  terminalExit: "termexit",
  output: "out",
  done: "done",
  /** `sized <n>`: the size line for port n is applied (the shell has had its SIGWINCH). */
  sized: "sized",
} as const;
