"use client";
// The interactive half of a demo page: choose runtimes, run the workload on each, watch and compare.
import { Panel } from "@/components/ui/panel";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import dynamic from "next/dynamic";
import { isTerminalState, type RunSnapshot, type RuntimeInfo } from "@/lib/api/schemas";
import { createRun, describeError, fetchRuntimes } from "@/components/live/api-client";
import { rememberMyRun } from "@/components/live/my-runs";
import { describeCommand } from "./format-command";
import { RunColumn, type FollowedRun } from "./run-column";
import { RuntimePicker } from "./runtime-picker";
import type { RunLimitsRequest } from "@/lib/api/run-limits";
import { useReplayFallback } from "@/components/replay/use-replay-fallback";
import { ReplayControls } from "@/components/replay/replay-controls";

// chart.js needs a canvas and is only worth loading once there is something to chart.
const TimingChart = dynamic(
  () => import("@/components/timing-chart/timing-chart").then((m) => m.TimingChart),
  {
    ssr: false,
    loading: () => <p className="text-sm text-muted">Loading chart…</p>,
  },
);

export interface DemoWorkloadProps {
  image: string;
  command: string[];
  timeoutMs?: number;
  /** The run's own memory, pids and output limits (the lab); absent: the host's. */
  limits?: RunLimitsRequest;
}

export interface DemoRunnerProps {
  /** Runtime ids selected when the page opens, where the host has them. */
  defaultRuntimes: string[];
  workload: DemoWorkloadProps;
  /** Told the ids of the runs each press of Run launched (presenter mode shares them with the audience). */
  onRunsStarted?: (runIds: string[]) => void;
  /** Each change of this number presses Run, as a keyboard shortcut outside the runner does. */
  runSignal?: number;
  /** Asked when Run is pressed; false launches nothing (the lab's editor shows what to fix). */
  beforeRun?: () => boolean;
}

interface Launch {
  key: string;
  runtimeId: string;
  runId: string | null;
  error: string | null;
}

export function DemoRunner({
  defaultRuntimes,
  workload,
  onRunsStarted,
  runSignal,
  beforeRun,
}: DemoRunnerProps) {
  const { runtimes, runtimesError, reload } = useRuntimes();
  const [selected, setSelected] = useState<string[] | null>(null);
  const [launches, setLaunches] = useState<Launch[]>([]);
  const [runs, setRuns] = useState<Record<string, FollowedRun>>({});
  const batch = useRef(0);
  const fallback = useReplayFallback(workload);

  useEffect(() => {
    if (!runtimes || selected !== null) return;
    setSelected(defaultRuntimes.filter((id) => runtimes.some((r) => r.id === id && r.available)));
  }, [runtimes, selected, defaultRuntimes]);

  const onRunChange = useCallback((runtimeId: string, followed: FollowedRun) => {
    setRuns((current) => {
      const previous = current[runtimeId];
      if (previous?.run === followed.run && previous.lost === followed.lost) return current;
      return { ...current, [runtimeId]: followed };
    });
  }, []);

  const inProgress = launches.some((launch) => {
    if (launch.error) return false;
    const followed = runs[launch.runtimeId];
    if (!launch.runId || !followed) return true;
    return followed.run ? !isTerminalState(followed.run.state) : !followed.lost;
  });
  const chosen = (runtimes ?? []).filter((r) => selected?.includes(r.id)).map((r) => r.id);

  const start = async () => {
    if (beforeRun && !beforeRun()) return;
    batch.current += 1;
    const key = batch.current;
    setRuns({});
    setLaunches(
      chosen.map((runtimeId) => ({
        key: `${key}-${runtimeId}`,
        runtimeId,
        runId: null,
        error: null,
      })),
    );
    const patch = (runtimeId: string, change: Partial<Launch>) =>
      setLaunches((current) =>
        current.map((launch) =>
          launch.key === `${key}-${runtimeId}` ? { ...launch, ...change } : launch,
        ),
      );
    const started: string[] = [];
    const guard = fallback.begin(chosen);
    await Promise.all(
      chosen.map(async (runtimeId) => {
        try {
          const runId = await guard(
            runtimeId,
            createRun({
              runtime: runtimeId,
              image: workload.image,
              command: workload.command,
              timeoutMs: workload.timeoutMs,
              limits: workload.limits,
            }),
          );
          rememberMyRun({ id: runId, runtime: runtimeId, startedAt: Date.now() });
          patch(runtimeId, { runId });
          started.push(runId);
        } catch (err) {
          patch(runtimeId, { error: describeError(err) });
        }
      }),
    );
    if (started.length > 0) onRunsStarted?.(started);
  };

  const lastRunSignal = useRef(runSignal);
  useEffect(() => {
    if (runSignal === lastRunSignal.current) return;
    lastRunSignal.current = runSignal;
    if (chosen.length > 0 && !inProgress) void start();
    // Only a new signal presses Run; `start` and the selection are read as they are at that render.
  }, [runSignal]);

  const command = describeCommand(workload.command);
  const byId = useMemo(() => new Map((runtimes ?? []).map((r) => [r.id, r])), [runtimes]);
  const chartRows = launches
    .map((launch) => ({
      label: byId.get(launch.runtimeId)?.name ?? launch.runtimeId,
      run: runs[launch.runtimeId]?.run,
    }))
    .filter((row): row is { label: string; run: RunSnapshot } => Boolean(row.run))
    .map(({ label, run }) => ({ label, timings: run.timings }));

  return (
    <div className="flex flex-col gap-6">
      <Panel id="workload" title="Workload">
        <p className="mt-1 text-sm text-muted">
          Image <code className="font-mono text-ink">{workload.image}</code>
          {workload.timeoutMs !== undefined && <>, stopped after {workload.timeoutMs / 1000} s</>}
        </p>
        <pre className="mt-2 overflow-x-auto rounded-md bg-surface-sunken p-3 font-mono text-sm text-ink">
          {command.line}
        </pre>
        {command.script && (
          <>
            <p className="mt-2 text-sm text-muted">
              where <code className="font-mono">$script</code> is:
            </p>
            <pre className="mt-1 max-h-64 overflow-auto rounded-md bg-surface-sunken p-3 font-mono text-sm text-ink">
              {command.script}
            </pre>
          </>
        )}

        <RuntimePicker
          runtimes={runtimes}
          error={runtimesError}
          onRetry={reload}
          selected={selected ?? []}
          onChange={setSelected}
          disabled={inProgress}
        />

        <div className="mt-4 flex flex-wrap items-center gap-3">
          <button
            type="button"
            data-testid="run-button"
            onClick={() => void start()}
            disabled={chosen.length === 0 || inProgress}
            className="rounded-md bg-accent px-5 py-2.5 text-base font-semibold text-on-accent shadow-sm hover:bg-accent-strong disabled:cursor-not-allowed disabled:opacity-50"
          >
            {inProgress ? "Running…" : launches.length > 0 ? "Run again" : "Run"}
          </button>
          {runtimes && chosen.length === 0 && (
            <p className="text-sm text-muted">Choose at least one available runtime.</p>
          )}
        </div>
        <ReplayControls fallback={fallback} runtimes={runtimes} />
      </Panel>

      {launches.length > 0 && (
        <section
          aria-label="Runs"
          className="grid gap-4 md:grid-cols-[repeat(auto-fit,minmax(20rem,1fr))]"
        >
          {launches.map((launch) => (
            <RunColumn
              key={launch.key}
              runtimeId={launch.runtimeId}
              runtime={byId.get(launch.runtimeId)}
              runId={launch.runId}
              launchError={launch.error}
              onRunChange={onRunChange}
              replay={fallback.replayFor(launch.runtimeId)}
            />
          ))}
        </section>
      )}

      {chartRows.length > 0 && (
        <Panel id="chart" title="Where the time goes">
          <p className="mt-1 text-sm text-muted">
            Each bar is one run, from the request to the sandbox being cleaned up, split at the
            phases the host timed.
          </p>
          <div data-testid="timing-chart" className="mt-3">
            <TimingChart rows={chartRows} />
          </div>
        </Panel>
      )}
    </div>
  );
}

function useRuntimes() {
  const [runtimes, setRuntimes] = useState<RuntimeInfo[] | null>(null);
  const [runtimesError, setRuntimesError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    fetchRuntimes()
      .then((list) => {
        if (cancelled) return;
        setRuntimes(list);
        setRuntimesError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setRuntimesError(describeError(err));
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  return { runtimes, runtimesError, reload: () => setAttempt((n) => n + 1) };
}
