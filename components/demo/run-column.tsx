"use client";
// One runtime's run on the demo page: its state, output, errors and timings.
import { useEffect } from "react";
import { isTerminalState, type RunSnapshot, type RuntimeInfo } from "@/lib/api/schemas";
import { LogPane } from "@/components/log-pane/log-pane";
import { StateBadge, type BadgeState } from "@/components/ui/state-badge";
import { formatBytes } from "@/components/format/format-units";
import { RunProgressLine } from "./run-progress-line";
import { RunTimings } from "./run-timings";
import { useRun } from "./use-run";
import { RecordingLabel } from "@/components/replay/recording-label";
import { SaveRecordingButton } from "@/components/replay/save-recording-button";
import type { ReplayColumnView } from "@/components/replay/use-replay-fallback";

/** What a column knows of its run; `lost` when it cannot be followed at all (the server forgot it). */
export interface FollowedRun {
  run: RunSnapshot | null;
  lost: boolean;
}

export interface RunColumnProps {
  runtimeId: string;
  runtime: RuntimeInfo | undefined;
  /** Null while the server has not yet answered the launch request. */
  runId: string | null;
  /** Why the server refused to launch (quota, unknown runtime…). */
  launchError: string | null;
  onRunChange: (runtimeId: string, followed: FollowedRun) => void;
  /** A recording shown in place of the live run (the server could not be reached). */
  replay?: ReplayColumnView;
}

export function RunColumn({
  runtimeId,
  runtime,
  runId,
  launchError: refusal,
  onRunChange,
  replay,
}: RunColumnProps) {
  const followed = useRun(runId);
  const { run, output, error, live, stop, stopping, stopError } = replay
    ? { ...followed, run: replay.run, output: replay.output, live: true }
    : followed;
  // A replayed column stands in for the launch that could not reach the server.
  const launchError = replay ? null : refusal;

  const lost = run === null && error !== null;
  useEffect(() => {
    onRunChange(runtimeId, { run, lost });
  }, [onRunChange, runtimeId, run, lost]);

  const state: BadgeState = run?.state ?? (launchError ? "rejected" : "launching");
  const name = runtime?.name ?? runtimeId;
  const problems = [launchError, run?.error?.message, error, stopError].filter((p): p is string =>
    Boolean(p),
  );
  const canStop = runId !== null && run !== null && !isTerminalState(run.state);

  return (
    <section
      data-testid={`run-column-${runtimeId}`}
      data-state={state}
      aria-labelledby={`run-heading-${runtimeId}`}
      className="flex min-w-0 flex-col gap-3 rounded-lg border border-line bg-surface p-4 shadow-sm"
    >
      <header className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 id={`run-heading-${runtimeId}`} className="text-lg font-semibold text-ink">
            {name}
          </h3>
          {runtime?.version && <p className="truncate text-sm text-muted">{runtime.version}</p>}
        </div>
        <div className="flex items-center gap-2" aria-live="polite">
          <StateBadge state={state} />
          {run?.exitCode !== null && run?.exitCode !== undefined && (
            <span className="font-mono text-sm text-ink">exit {run.exitCode}</span>
          )}
        </div>
      </header>

      {replay && (
        <RecordingLabel
          recording={replay.recording}
          runtimeId={runtimeId}
          otherCommand={replay.otherCommand}
        />
      )}
      {!replay && run && !isTerminalState(run.state) && <RunProgressLine run={run} />}
      {run?.state === "queued" && run.queuePosition !== null && (
        <p className="text-sm text-ink" role="status">
          Waiting for a free slot on the host: number {run.queuePosition} in the queue.
        </p>
      )}
      {!live && runId && run && !isTerminalState(run.state) && (
        <p className="text-sm text-muted" role="status">
          Live connection lost; refreshing every 2 seconds until it is back.
        </p>
      )}
      {problems.map((problem) => (
        <p
          key={problem}
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-2 text-sm text-red-900"
        >
          {problem}
        </p>
      ))}

      {canStop && (
        <button
          type="button"
          onClick={() => void stop()}
          disabled={stopping}
          data-testid={`stop-button-${runtimeId}`}
          className="self-start rounded-md border border-red-700 px-3 py-1.5 text-sm font-semibold text-red-800 hover:bg-red-50 disabled:opacity-60"
        >
          {stopping ? "Stopping…" : `Stop ${name}`}
        </button>
      )}

      {!replay && runId && run && isTerminalState(run.state) && (
        <SaveRecordingButton runId={runId} runtimeId={runtimeId} />
      )}
      {!launchError && (
        <LogPane
          text={output.text}
          label={`${name} output`}
          textTestId={`log-text-${runtimeId}`}
          placeholder={run ? "No output yet." : "Starting…"}
        />
      )}
      {run?.outputTruncated && (
        <p
          className="text-sm font-semibold text-amber-900"
          data-testid={`output-truncated-${runtimeId}`}
        >
          Output truncated: the sandbox printed more than its {formatBytes(run.limits.outputBytes)}{" "}
          limit.
        </p>
      )}
      {run?.memory && (
        <p className="text-sm text-muted" data-testid={`memory-${runtimeId}`}>
          Host memory at peak:{" "}
          <span className="font-mono text-ink">{formatBytes(run.memory.rssBytes)}</span> RSS,{" "}
          <span className="font-mono text-ink">{formatBytes(run.memory.pssBytes)}</span> PSS in{" "}
          {run.memory.processes} host {run.memory.processes === 1 ? "process" : "processes"}
        </p>
      )}
      {run && <RunTimings timings={run.timings} clocks={run.clocks} />}
    </section>
  );
}
