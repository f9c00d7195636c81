"use client";
// React's view of one run: follows it live, stops it on request, and stops it when the page goes away.
import { useCallback, useEffect, useRef, useState } from "react";
import { isTerminalState } from "@/lib/api/schemas";
import { describeError, stopRun } from "@/components/live/api-client";
import { newerSnapshot } from "@/components/live/run-output";
import { initialRunView, watchRun, type RunView } from "@/components/live/watch-run";

export interface UseRun extends RunView {
  stop: () => Promise<void>;
  stopping: boolean;
  stopError: string | null;
}

export function useRun(runId: string | null): UseRun {
  const [view, setView] = useState<RunView>(initialRunView);
  const [stopping, setStopping] = useState(false);
  const [stopError, setStopError] = useState<string | null>(null);
  const finished = useRef(false);
  useEffect(() => {
    finished.current = view.run ? isTerminalState(view.run.state) : false;
  }, [view.run]);

  useEffect(() => {
    setView(initialRunView);
    if (!runId) return;
    return watchRun(runId, setView);
  }, [runId]);

  useEffect(() => {
    if (!runId) return;
    // A visitor who closes the tab is done watching; the host should not keep the sandbox running.
    const onPageHide = () => {
      if (!finished.current) void stopRun(runId, { keepalive: true }).catch(() => undefined);
    };
    window.addEventListener("pagehide", onPageHide);
    return () => window.removeEventListener("pagehide", onPageHide);
  }, [runId]);

  const stop = useCallback(async () => {
    if (!runId) return;
    setStopping(true);
    setStopError(null);
    try {
      const run = await stopRun(runId);
      setView((current) => ({ ...current, run: newerSnapshot(current.run, run) }));
    } catch (err) {
      setStopError(describeError(err));
    } finally {
      setStopping(false);
    }
  }, [runId]);

  return { ...view, stop, stopping, stopError };
}
