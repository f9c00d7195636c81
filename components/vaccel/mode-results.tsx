"use client";
// One row per mode: where its numbers came from, its progress while it runs, then start, load, per-inference
// median and p95, what offloading added, and the answer.
import { useEffect, useState, type ReactNode } from "react";
import { isImageOp, type InferResult } from "@/lib/api/vaccel";
import { formatMs } from "@/components/format/format-units";
import { type ModeOutcome, rpcOverheadMs, sandboxStartMs } from "./mode-figures";

/** A NOOP round trip is a fraction of a millisecond: below 1 ms, three places. */
const preciseMs = (value: number) => (value < 1 ? `${value.toFixed(3)} ms` : formatMs(value));
const ms = (value: number | null | undefined) => (value == null ? "–" : preciseMs(value));
const signedMs = (value: number | null) =>
  value === null ? "–" : `${value >= 0 ? "+" : "−"}${preciseMs(Math.abs(value))}`;

export interface ModeResultsProps {
  outcomes: ModeOutcome[];
  /** Each mode's backend and acceleration, in words (describeBackend). */
  backends: Record<string, string>;
  native: InferResult | null;
}

export function ModeResults({ outcomes, backends, native }: ModeResultsProps) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[60rem] text-left">
        <caption className="sr-only">
          Start, model load, time per inference and answer for each mode
        </caption>
        <thead className="text-sm text-muted">
          <tr className="border-b border-line">
            <Th>Mode</Th>
            <Th>Status</Th>
            <Th right>
              Sandbox start
              <span className="block font-normal">request → workload</span>
            </Th>
            <Th right>
              Node start
              <span className="block font-normal">process → main</span>
            </Th>
            <Th right>
              Model load
              <span className="block font-normal">or vAccel session</span>
            </Th>
            <Th right>Median</Th>
            <Th right>p95</Th>
            <Th right>
              RPC overhead
              <span className="block font-normal">median − native</span>
            </Th>
            <Th>Answer</Th>
          </tr>
        </thead>
        <tbody>
          {outcomes.map((outcome) => (
            <ResultRow
              key={outcome.mode.id}
              outcome={outcome}
              backend={backends[outcome.mode.id] ?? ""}
              native={native}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ResultRow({
  outcome,
  backend,
  native,
}: {
  outcome: ModeOutcome;
  backend: string;
  native: InferResult | null;
}) {
  const { mode, result, state } = outcome;
  return (
    <tr
      data-testid={`vaccel-result-${mode.id}`}
      data-state={state}
      data-median={result?.medianMs}
      data-p95={result?.p95Ms}
      data-result={result?.result}
      className="border-b border-line align-top last:border-0"
    >
      <td className="py-2 pr-4">
        <span className="font-semibold text-ink">{mode.label}</span>
        <span className="block max-w-xs text-sm text-muted" data-testid="vaccel-backend">
          {backend}
        </span>
      </td>
      <td className="py-2 pr-4 text-sm">
        <Status outcome={outcome} />
      </td>
      <td className="py-2 pr-4 text-right tabular-nums">{ms(sandboxStartMs(outcome.timings))}</td>
      <td className="py-2 pr-4 text-right tabular-nums">
        {mode.runtime === "host" ? "–" : ms(result?.startMs)}
      </td>
      <td className="py-2 pr-4 text-right tabular-nums">{ms(result?.loadMs)}</td>
      <td className="py-2 pr-4 text-right font-semibold tabular-nums">{ms(result?.medianMs)}</td>
      <td className="py-2 pr-4 text-right tabular-nums">{ms(result?.p95Ms)}</td>
      <td className="py-2 pr-4 text-right tabular-nums">
        {signedMs(rpcOverheadMs(outcome, native))}
      </td>
      <td className="py-2 font-mono text-sm break-all text-ink" data-testid="vaccel-answer">
        {result ? (
          <>
            {result.result}
            <span className="block font-sans text-muted">
              {result.iterations} {isImageOp(result.op) ? "inference" : "run"}
              {result.iterations === 1 ? "" : "s"}
            </span>
          </>
        ) : (
          "–"
        )}
      </td>
    </tr>
  );
}

function Status({ outcome }: { outcome: ModeOutcome }) {
  switch (outcome.state) {
    case "waiting":
      return <span className="text-muted">waiting</span>;
    case "running":
      return (
        <span className="text-ink">
          {outcome.progress ?? "running"}
          {outcome.startedAt !== null && <Elapsed since={outcome.startedAt} />}
        </span>
      );
    case "done":
      return <span className="font-semibold text-ink">done</span>;
    case "stopped":
      return <span className="text-muted">stopped</span>;
    case "skipped":
    case "failed":
      return (
        <span className="text-red-800 dark:text-red-300">
          {outcome.state}: {outcome.error}
        </span>
      );
  }
}

/** Seconds since the mode started, ticking: anything that takes over a second shows it is alive. */
function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return <span className="block text-muted tabular-nums">{formatMs(now - since)}</span>;
}

function Th({ children, right }: { children: ReactNode; right?: boolean }) {
  return (
    <th scope="col" className={`py-2 pr-4 font-semibold ${right ? "text-right" : ""}`}>
      {children}
    </th>
  );
}
