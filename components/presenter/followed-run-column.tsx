"use client";
// A run the presenter launched, as the audience sees it: live output and state, with no way to stop it.
import { useEffect, useState } from "react";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { initialRunView, watchRun, type RunView } from "@/components/live/watch-run";
import { LogPane } from "@/components/log-pane/log-pane";
import { StateBadge } from "@/components/ui/state-badge";
import { RunTimings } from "@/components/demo/run-timings";

// RunColumn would offer Stop and stop the run when this tab closes: right for the one who launched it,
// wrong for someone watching.
export function FollowedRunColumn({
  runId,
  runtimes,
}: {
  runId: string;
  runtimes: RuntimeInfo[] | null;
}) {
  const [view, setView] = useState<RunView>(initialRunView);
  useEffect(() => watchRun(runId, setView), [runId]);
  const { run, output, error, live } = view;
  const runtimeId = run?.runtime ?? "";
  const name = runtimes?.find((r) => r.id === runtimeId)?.name ?? (runtimeId || "Run");

  return (
    <section
      data-testid={`followed-run-${runtimeId || "pending"}`}
      data-state={run?.state ?? "launching"}
      aria-label={`${name}, run by the presenter`}
      className="flex min-w-0 flex-col gap-3 rounded-lg border border-line bg-surface p-4 shadow-sm"
    >
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-lg font-semibold text-ink">{name}</h3>
        <div className="flex items-center gap-2" aria-live="polite">
          <StateBadge state={run?.state ?? "launching"} />
          {run?.exitCode !== null && run?.exitCode !== undefined && (
            <span className="font-mono text-sm text-ink">exit {run.exitCode}</span>
          )}
        </div>
      </header>
      {error && (
        <p
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-2 text-sm text-red-900"
        >
          {error}
        </p>
      )}
      {!live && run && (
        <p className="text-sm text-muted" role="status">
          Live connection lost; refreshing every 2 seconds until it is back.
        </p>
      )}
      <LogPane
        text={output.text}
        label={`${name} output`}
        textTestId={`followed-log-${runtimeId || "pending"}`}
        placeholder={run ? "No output yet." : "Connecting…"}
      />
      {run && <RunTimings timings={run.timings} />}
    </section>
  );
}
