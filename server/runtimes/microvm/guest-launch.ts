// What the host writes for the guest's init (guest-init.ts reads it): the launch file a cold VM sources from its run
// share, and the control lines a VM booted ahead, a restored VM or a session VM reads. QEMU's own arguments are
// qemu-args.ts's.
import {
  newlineVariable,
  resumeVerb,
  runCommandVerb,
  sessionVerbs,
} from "../../images/microvm/guest-protocol";

/** The run share's launch file: the argv as `set --` with single-quoted words, which the init sources. */
export function launchScript(command: string[], tmpfsBytes: number, vaccel = false): string {
  return `tmpfs_bytes=${Math.floor(tmpfsBytes)}\n${vaccel ? "vaccel=1\n" : ""}set -- ${quoteWords(command)}\n`;
}

/**
 * The same for a VM booted ahead (warm pool, restored), as the one control line it waits for; the init evaluates
 * what follows the verb. vAccel only for a restored VM whose vAccel port is connected to the run's agent.
 */
export function runCommandLine(command: string[], tmpfsBytes: number, vaccel = false): string {
  return `${runCommandVerb} tmpfs_bytes=${Math.floor(tmpfsBytes)};${vaccel ? " vaccel=1;" : ""} set -- ${oneLineWords(command)}\n`;
}

/**
 * The first line a restored VM reads: fresh entropy for its RNG, the wall clock, the /tmp it mounts, and whether it
 * waits in the warm pool (it then warms its caches before it reports ready).
 */
export function resumeLine(
  seed: Buffer,
  epochMs: number,
  tmpfsBytes: number,
  pooled: boolean,
): string {
  return `${resumeVerb} ${seed.toString("hex")} ${Math.floor(epochMs)} ${Math.floor(tmpfsBytes)} ${pooled ? 1 : 0}\n`;
}

/** A session's launch file: no command; `session` is the size of its writable /root. */
export function sessionLaunchScript(tmpfsBytes: number, homeBytes: number): string {
  return `tmpfs_bytes=${Math.floor(tmpfsBytes)}\nsession=${Math.floor(homeBytes)}\nset --\n`;
}

/**
 * A VM booted ahead (warm pool, restored) made a session, as the one control line it waits for: no command; the init
 * mounts the writable /root (`session`, its size) and serves the session's lines from then on.
 */
export function sessionCommandLine(tmpfsBytes: number, homeBytes: number): string {
  return `${runCommandVerb} tmpfs_bytes=${Math.floor(tmpfsBytes)}; session=${Math.floor(homeBytes)}; set --\n`;
}

/** A command beside a session's shells, as one control line: the init evaluates the words into its argv. */
export function sessionExecLine(id: number, command: string[]): string {
  return `${sessionVerbs.exec} ${id} ${oneLineWords(command)}\n`;
}

/** Words on one line, as runCommandLine spells them (a newline is "$nl"). */
const oneLineWords = (command: string[]) =>
  quoteWords(command).replace(/\n/g, `'"$${newlineVariable}"'`);

const quoteWords = (command: string[]) =>
  command.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ");
