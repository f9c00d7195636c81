// Watches one press of Run: passes each launch request through, and calls the host unreachable when it is.
import {
  BackendUnreachableError,
  isUnreachableError,
  judgeBackend,
  socketGraceMs,
} from "./backend-verdict";

export interface LaunchWatchOptions {
  runtimes: readonly string[];
  /** Whether the live connection is up right now. */
  socketConnected: () => boolean;
  /** Told which runtimes got no run, once the host is judged unreachable. */
  onUnreachable: (runtimes: string[]) => void;
  /** A run created after the watch gave up on its request: nobody will watch it, so it should be stopped. */
  abandon: (runId: string) => void;
  now?: () => number;
  graceMs?: number;
}

export interface LaunchWatch {
  /** Resolves with the run id, or rejects with the launch's error or BackendUnreachableError. */
  guard(runtimeId: string, launch: Promise<string>): Promise<string>;
  /** Stops judging (a newer press of Run took over); pending launches settle as they will. */
  close(): void;
}

export function watchLaunches(options: LaunchWatchOptions): LaunchWatch {
  const now = options.now ?? (() => performance.now());
  const graceMs = options.graceMs ?? socketGraceMs;
  const startedAt = now();
  const pending = new Map<string, (err: Error) => void>();
  /** Runtimes the server answered for, with a run or a refusal: those never replay. */
  const answered = new Set<string>();
  let networkErrors = 0;
  let decided = false;

  const judge = () => {
    if (decided) return;
    const verdict = judgeBackend(
      {
        networkErrors,
        answered: answered.size,
        total: options.runtimes.length,
        socketConnected: options.socketConnected(),
        waitedMs: now() - startedAt,
      },
      graceMs,
    );
    if (verdict === "undecided") return;
    decided = true;
    clearTimeout(timer);
    if (verdict === "reachable") return;
    for (const reject of pending.values()) reject(new BackendUnreachableError());
    pending.clear();
    options.onUnreachable(options.runtimes.filter((runtime) => !answered.has(runtime)));
  };
  const timer = setTimeout(judge, graceMs);

  return {
    guard: (runtimeId, launch) =>
      new Promise<string>((resolve, reject) => {
        pending.set(runtimeId, reject);
        launch.then(
          (runId) => {
            if (!pending.delete(runtimeId)) return options.abandon(runId);
            answered.add(runtimeId);
            resolve(runId);
            judge();
          },
          (err: unknown) => {
            if (!pending.delete(runtimeId)) return;
            if (isUnreachableError(err)) networkErrors += 1;
            else answered.add(runtimeId);
            reject(err instanceof Error ? err : new Error(String(err)));
            judge();
          },
        );
      }),
    close() {
      decided = true;
      clearTimeout(timer);
    },
  };
}
