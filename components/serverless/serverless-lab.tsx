"use client";
// The serverless page's interactive part: choose runtimes and load, fire the requests, show what each runtime did.
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import dynamic from "next/dynamic";
import { Panel } from "@/components/ui/panel";
import { RuntimePicker } from "@/components/demo/runtime-picker";
import { describeError, fetchRun } from "@/components/live/api-client";
import { summarizeRuntime } from "./latency-stats";
import { collectFootprints, fireRequests } from "./load-runner";
import {
  checkSettings,
  defaultConcurrency,
  defaultRequests,
  maxRequests,
  type LoadMode,
  type LoadSettings,
} from "./load-settings";
import { KnativeTargets } from "./knative-targets";
import { maxColdRequests, runKnative } from "./knative-runner";
import { ResultsTable, resultKey, type RuntimeResult } from "./results-table";
import { useHostFacts, warmPoolOf } from "./use-host-facts";
import { useKnativeStatus } from "./use-knative-status";
import { NumberField } from "@/components/ui/number-field";
import { RunStopButtons } from "@/components/ui/run-stop-buttons";

// chart.js needs a canvas and is only worth loading once there is something to chart.
const LatencyChart = dynamic(() => import("./latency-chart").then((m) => m.LatencyChart), {
  ssr: false,
  loading: () => <p className="text-sm text-muted">Loading chart…</p>,
});

const defaultRuntimes = ["runc", "gvisor", "microvm"];

/** `aside` sits beside the controls; results and chart take the full width below them. */
export function ServerlessLab({ aside }: { aside: ReactNode }) {
  const { runtimes, perClientLimit, error, reload } = useHostFacts();
  const knative = useKnativeStatus();
  const [selected, setSelected] = useState<string[] | null>(null);
  const [knativeSelected, setKnativeSelected] = useState<string[]>([]);
  const [requests, setRequests] = useState(String(defaultRequests));
  const [concurrency, setConcurrency] = useState(String(defaultConcurrency));
  const [mode, setMode] = useState<LoadMode>("cold");
  const [results, setResults] = useState<RuntimeResult[]>([]);
  const [running, setRunning] = useState(false);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!runtimes || selected !== null) return;
    setSelected(defaultRuntimes.filter((id) => runtimes.some((r) => r.id === id && r.available)));
  }, [runtimes, selected]);
  // Leaving the page stops the requests in flight; the host tears their sandboxes down.
  useEffect(() => () => controller.current?.abort(), []);

  const warmPool = warmPoolOf(runtimes);
  const chosen = (runtimes ?? []).filter((r) => selected?.includes(r.id)).map((r) => r.id);
  const check = checkSettings(
    { runtimes: chosen, knative: knativeSelected, requests, concurrency, mode },
    perClientLimit ?? defaultConcurrency,
  );
  const errors = check.ok ? {} : check.errors;
  const names = useMemo(() => new Map((runtimes ?? []).map((r) => [r.id, r.name])), [runtimes]);

  const start = async (settings: LoadSettings) => {
    const abort = new AbortController();
    controller.current = abort;
    setRunning(true);
    const batch = settings.runtimes.map((runtime) => ({
      runtime,
      pool: settings.mode === "warm" && runtime === "microvm",
    }));
    const row = (runtime: string, change: Partial<RuntimeResult>): RuntimeResult => ({
      runtime,
      name: names.get(runtime) ?? runtime,
      pool: false,
      total: settings.requests,
      done: 0,
      phase: "waiting",
      summary: null,
      lastError: null,
      ...change,
    });
    setResults([
      ...batch.map(({ runtime, pool }) => row(runtime, { pool })),
      ...settings.knative.flatMap((runtime) => [
        row(runtime, { knative: "warm" }),
        row(runtime, { knative: "cold", total: Math.min(maxColdRequests, settings.requests) }),
      ]),
    ]);
    const patch = (key: string, change: Partial<RuntimeResult>) =>
      setResults((current) =>
        current.map((one) => (resultKey(one) === key ? { ...one, ...change } : one)),
      );
    // One runtime after another, so they do not compete for the host's CPUs.
    for (const { runtime, pool } of batch) {
      if (abort.signal.aborted) break;
      patch(runtime, { phase: "running" });
      const { samples, wallMs } = await fireRequests({
        runtime,
        pool,
        requests: settings.requests,
        concurrency: settings.concurrency,
        signal: abort.signal,
        onSample: (sample, done) =>
          patch(runtime, { done, ...(sample.error ? { lastError: sample.error } : {}) }),
      });
      patch(runtime, { phase: "measuring" });
      const footprints = await collectFootprints(
        samples.map((s) => s.runId),
        fetchRun,
      );
      patch(runtime, {
        phase: abort.signal.aborted ? "stopped" : "done",
        summary: summarizeRuntime(samples, wallMs, footprints),
      });
    }
    for (const runtime of settings.knative) {
      if (abort.signal.aborted) break;
      const warm = resultKey({ runtime, knative: "warm" });
      const cold = resultKey({ runtime, knative: "cold" });
      const noMemory = (count: number) => Array.from({ length: count }, () => null);
      try {
        const result = await runKnative({
          runtime,
          requests: settings.requests,
          concurrency: settings.concurrency,
          signal: abort.signal,
          onStep: (step) => {
            if (step.step === "deploying") patch(warm, { phase: "deploying" });
            else if (step.step === "warm") patch(warm, { phase: "running" });
            else if (step.step === "idling") patch(cold, { phase: "idling" });
            else patch(cold, { phase: "running" });
          },
          onSample: (kind, sample, done) =>
            patch(kind === "warm" ? warm : cold, {
              done,
              ...(sample.error ? { lastError: sample.error } : {}),
              ...(kind === "warm" && done === settings.requests ? { phase: "done" } : {}),
            }),
        });
        const ended = abort.signal.aborted ? "stopped" : "done";
        patch(warm, {
          phase: ended,
          summary: summarizeRuntime(
            result.warm.samples,
            result.warm.wallMs,
            noMemory(result.warm.samples.length),
          ),
        });
        patch(cold, {
          phase: ended,
          summary: summarizeRuntime(
            result.cold.samples,
            result.cold.wallMs,
            noMemory(result.cold.samples.length),
          ),
        });
      } catch (err) {
        const phase = abort.signal.aborted ? "stopped" : "done";
        patch(warm, { phase, lastError: describeError(err) });
        patch(cold, { phase });
      }
    }
    setResults((current) =>
      current.map((one) => (one.phase === "waiting" ? { ...one, phase: "stopped" } : one)),
    );
    controller.current = null;
    setRunning(false);
  };

  const chartRows = results
    .filter((row) => row.summary && row.summary.sortedMs.length > 0)
    .map((row) => ({
      label: row.knative
        ? `${row.runtime} via Knative (${row.knative === "warm" ? "warm" : "from zero"})`
        : row.pool
          ? `${row.runtime} (warm)`
          : row.runtime,
      p50Ms: row.summary!.p50Ms,
      p95Ms: row.summary!.p95Ms,
      maxMs: row.summary!.maxMs,
    }));

  return (
    <div className="flex flex-col gap-6">
      <div className="grid items-start gap-6 xl:grid-cols-[minmax(0,1fr)_30rem]">
        <Panel id="load" title="Load">
          <RuntimePicker
            runtimes={runtimes}
            error={error}
            onRetry={reload}
            selected={selected ?? []}
            onChange={setSelected}
            disabled={running}
          />
          <KnativeTargets
            status={knative.status}
            error={knative.error}
            runtimes={runtimes}
            selected={knativeSelected}
            onChange={setKnativeSelected}
            disabled={running}
          />
          {errors.runtimes && runtimes && (
            <p className="mt-2 text-sm text-red-800 dark:text-red-300">{errors.runtimes}.</p>
          )}

          <fieldset disabled={running} className="mt-4 grid gap-4 sm:grid-cols-2">
            <NumberField
              id="serverless-requests"
              label="Requests per runtime"
              hint={`Each one starts its own sandbox; 1 to ${maxRequests}.`}
              value={requests}
              onChange={setRequests}
              error={errors.requests}
            />
            <NumberField
              id="serverless-concurrency"
              label="Concurrency"
              hint={`Requests in flight at once; this host lets one visitor run ${perClientLimit ?? "…"} sandboxes at a time.`}
              value={concurrency}
              onChange={setConcurrency}
              error={errors.concurrency}
            />
          </fieldset>

          <fieldset disabled={running} className="mt-4">
            <legend className="text-base font-semibold text-ink">Sandboxes</legend>
            <div className="mt-2 flex flex-col gap-2">
              <ModeOption
                value="cold"
                current={mode}
                onChange={setMode}
                label="Cold: every request starts a fresh sandbox"
              />
              <ModeOption
                value="warm"
                current={mode}
                onChange={setMode}
                disabled={!warmPool}
                label="Warm pool for the microVM: a VM booted ahead of time takes the request; the others stay cold"
              />
              <p className="ml-8 text-sm text-muted" data-testid="warm-pool-note">
                {warmPool
                  ? `The host's microVM pool: ${warmPool}. A request that finds the pool empty boots a VM cold.`
                  : "Not offered here: this host keeps no warm microVMs (SBPG_MICROVM_POOL_SIZE, or the microVM is unavailable)."}
              </p>
            </div>
          </fieldset>

          <RunStopButtons
            testId="serverless-run"
            running={running}
            ranBefore={results.length > 0}
            disabled={!check.ok || !runtimes}
            onRun={() => check.ok && void start(check.settings)}
            onStop={() => controller.current?.abort()}
          />
        </Panel>
        {aside}
      </div>

      {results.length > 0 && (
        <Panel id="results" title="Results">
          <ResultsTable rows={results} />
        </Panel>
      )}

      {chartRows.length > 0 && (
        <Panel id="latency" title="Latency per runtime">
          <p className="mt-1 text-sm text-muted">
            What the browser waited for each answer, from sending the request to the last byte of
            the reply: the sandbox&apos;s start, the function, its teardown, and the way there and
            back.
          </p>
          <div data-testid="latency-chart" className="mt-3">
            <LatencyChart rows={chartRows} />
          </div>
        </Panel>
      )}
    </div>
  );
}

function ModeOption(props: {
  value: LoadMode;
  current: LoadMode;
  onChange: (mode: LoadMode) => void;
  label: string;
  disabled?: boolean;
}) {
  const { value, current, onChange, label, disabled } = props;
  const id = `serverless-mode-${value}`;
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        data-testid={id}
        type="radio"
        name="serverless-mode"
        className="mt-1 size-5 accent-accent"
        checked={current === value}
        disabled={disabled}
        onChange={() => onChange(value)}
      />
      <label htmlFor={id} className={disabled ? "text-muted" : "text-ink"}>
        {label}
      </label>
    </div>
  );
}
