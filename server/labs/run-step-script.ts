// A step's check or setup as one command inside the visitor's own session, through the session exec path and the launch policy.
import type { LaunchCaller, LaunchPolicy } from "../runs/launch-policy";
import type { Run } from "../engine/run";
import type { Session } from "../sessions/session";
import type { SessionManager } from "../sessions/session-manager";
import type { RunSnapshot } from "../../lib/api/schemas";
import { attendeeCookie } from "../../lib/api/workshops";
import { stripAnsi } from "../../lib/strip-ansi";

/** A check prints a line or two; anything past this is cut (the run's own output limit, smallest there is). */
export const stepScriptOutputBytes = 16 * 1024;

export interface StepScriptResult {
  /** The script exited 0. */
  passed: boolean;
  /** What to show when it did not: its last line of output, or why it did not finish. */
  hint: string | null;
  durationMs: number;
}

export async function runStepScript(
  ctx: { sessions: SessionManager; policy: LaunchPolicy },
  caller: LaunchCaller,
  session: Session,
  script: string,
  timeoutMs: number,
): Promise<StepScriptResult> {
  const startedAt = Date.now();
  const run = await ctx.sessions.exec(session, (inside) =>
    ctx.policy.launch(stepScriptCaller(caller), {
      runtime: session.runtime,
      image: session.image,
      command: ["sh", "-c", script],
      timeoutMs,
      limits: { outputBytes: stepScriptOutputBytes },
      session: inside,
    }),
  );
  const end = await finishOf(run);
  const output = run.output.text();
  return { ...judge(end, output), durationMs: Date.now() - startedAt };
}

/**
 * A check or setup is the demo's own script, not one the visitor chose, run inside a session they were already
 * admitted to and bounded by its cgroup and a short timeout. So a workshop's run quotas (runs in total, at once)
 * do not count it — the automatic checks would use them up in minutes. The per-visitor and per-address
 * ceilings still do, and the caller's own rules decided the session is theirs before this runs.
 */
export function stepScriptCaller(caller: LaunchCaller): LaunchCaller {
  const cookies = (caller.headers.cookie ?? "")
    .split(";")
    .filter((part) => part.split("=")[0]?.trim() !== attendeeCookie);
  return { ...caller, headers: { ...caller.headers, cookie: cookies.join(";") } };
}

/** Exit 0 passes; the hint is the last line the script printed, or what stopped it. */
export function judge(
  end: Pick<RunSnapshot, "state" | "exitCode" | "error">,
  output: string,
): { passed: boolean; hint: string | null } {
  if (end.state === "exited" && end.exitCode === 0) return { passed: true, hint: null };
  // Stopped (its timeout, the output limit) or failed to start: the engine's reason says which.
  if (end.state !== "exited")
    return { passed: false, hint: end.error?.message ?? "The check did not finish." };
  return { passed: false, hint: lastLineOf(output) ?? `Not yet (exit code ${end.exitCode}).` };
}

/** The last non-empty line, without colours; null when the script printed nothing. */
export function lastLineOf(output: string): string | null {
  const lines = stripAnsi(output)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const last = lines.at(-1);
  if (last === undefined) return null;
  return last.length > 300 ? `${last.slice(0, 300)}…` : last;
}

function finishOf(run: Run): Promise<RunSnapshot> {
  return new Promise((resolve) => {
    const onChange = () => {
      if (!run.finished) return;
      run.off("change", onChange);
      resolve(run.snapshot());
    };
    run.on("change", onChange);
    onChange();
  });
}
