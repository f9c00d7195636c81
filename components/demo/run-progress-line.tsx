"use client";
// While a run is not over, after a second: how long it has been going and the last phase reached, so a
// VM booting for seconds under emulation never looks stuck.
import { useEffect, useRef, useState } from "react";
import type { RunSnapshot } from "@/lib/api/schemas";
import { describePhase, latestPhase } from "./run-progress";

const showAfterMs = 1000;

export function RunProgressLine({ run }: { run: RunSnapshot }) {
  const latest = latestPhase(run.timings);
  // The server's clock is not ours: anchor the request's time on this page when the run is first seen.
  const requestedAt = useRef<number | null>(null);
  const [now, setNow] = useState(() => performance.now());
  requestedAt.current ??= performance.now() - (latest?.atMs ?? 0);

  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(timer);
  }, []);

  const elapsedMs = Math.max(0, now - requestedAt.current);
  if (elapsedMs < showAfterMs) return null;
  return (
    <p className="text-sm text-muted" role="timer" data-testid="run-progress">
      {run.state} for {(elapsedMs / 1000).toFixed(1)} s
      {latest && <> · last phase: {describePhase(latest.phase)}</>}
    </p>
  );
}
