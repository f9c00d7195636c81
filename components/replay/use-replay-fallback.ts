"use client";
// The demo's safety net: when Run cannot reach the server, the selected runtimes' recordings play instead.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { RunSnapshot } from "@/lib/api/schemas";
import {
  maxRecordingBytes,
  parseRecording,
  describeRecording,
  type Recording,
} from "@/lib/recordings/recording";
import { ReplayClock } from "@/lib/recordings/replay-clock";
import { buildTimeline, frameAt, type ReplayTimeline } from "@/lib/recordings/replay-frame";
import { workloadKey, type WorkloadIdentity } from "@/lib/recordings/workload-key";
import { stopRun } from "@/components/live/api-client";
import type { RunOutput } from "@/components/live/run-output";
import { getSocket } from "@/components/live/socket-client";
import { formatCommand } from "@/components/demo/format-command";
import { watchLaunches, type LaunchWatch } from "./launch-watch";
import { keepRecording, readRecordings } from "./recording-store";
import { recordingsChangedEvent } from "./recording-events";
import { fetchShippedRecordings } from "./shipped-recordings";

export type RecordingSource = "browser" | "shipped" | "file";

export interface AvailableRecording {
  recording: Recording;
  source: RecordingSource;
}

/** What a run column shows in place of a live run. */
export interface ReplayColumnView {
  recording: Recording;
  run: RunSnapshot;
  output: RunOutput;
  /** The recorded command when it differs from this demo's (a file loaded by hand). */
  otherCommand: string | null;
}

export interface ReplaySession {
  /** Runtimes replayed, and those asked for with no recording. */
  runtimes: string[];
  missing: string[];
  playing: boolean;
  finished: boolean;
  speed: number;
}

/** Wraps one launch request so the fallback sees how it went (and can give up on it). */
export type LaunchGuard = (runtimeId: string, launch: Promise<string>) => Promise<string>;

export interface ReplayFallback {
  available: ReadonlyMap<string, AvailableRecording>;
  session: ReplaySession | null;
  /** Starts a batch of launches: call before launching, pass each launch through the guard. */
  begin(runtimes: string[]): LaunchGuard;
  replayFor(runtimeId: string): ReplayColumnView | undefined;
  pause(): void;
  resume(): void;
  setSpeed(speed: number): void;
  loadFile(file: File): Promise<void>;
  loadMessage: { ok: boolean; text: string } | null;
}

export function useReplayFallback(workload: WorkloadIdentity): ReplayFallback {
  const key = workloadKey(workload);
  const [available, setAvailable] = useState<ReadonlyMap<string, AvailableRecording>>(new Map());
  // startReplay runs from a launch's callback, after renders it did not see: it reads the latest through a ref.
  const availableRef = useRef(available);
  useEffect(() => {
    availableRef.current = available;
  }, [available]);
  const [timelines, setTimelines] = useState<Map<string, ReplayTimeline>>(new Map());
  const [session, setSession] = useState<ReplaySession | null>(null);
  const [positionMs, setPositionMs] = useState(0);
  const [loadMessage, setLoadMessage] = useState<ReplayFallback["loadMessage"]>(null);
  const clock = useRef<ReplayClock | null>(null);
  const batch = useRef<LaunchWatch | null>(null);
  const commandLine = formatCommand(workload.command);

  const merge = useCallback((found: Map<string, Recording>, source: RecordingSource) => {
    setAvailable((current) => {
      const next = new Map(current);
      for (const [runtime, recording] of found) {
        // A recording this browser made or was given beats the one shipped with the site.
        if (source === "shipped" && next.has(runtime)) continue;
        next.set(runtime, { recording, source });
      }
      return next;
    });
  }, []);

  useEffect(() => {
    let cancelled = false;
    // Another workload (a presenter moving on a step) has recordings of its own.
    setAvailable(new Map());
    const readKept = () =>
      readRecordings(key)
        .then((found) => !cancelled && merge(found, "browser"))
        .catch(() => undefined);
    // Fetched now, while the host answers: when the network drops they are already here.
    void fetchShippedRecordings(key)
      .then((found) => !cancelled && merge(found, "shipped"))
      .catch(() => undefined);
    void readKept();
    // The chart and terminal load on demand; fetch their code now so a replay can show them offline.
    void import("@/components/timing-chart/timing-chart").catch(() => undefined);
    void import("@/components/log-pane/terminal-view").catch(() => undefined);
    window.addEventListener(recordingsChangedEvent, readKept);
    return () => {
      cancelled = true;
      window.removeEventListener(recordingsChangedEvent, readKept);
    };
  }, [key, merge]);

  const stopReplay = useCallback(() => {
    clock.current?.dispose();
    clock.current = null;
    setSession(null);
    setTimelines(new Map());
    setPositionMs(0);
  }, []);

  const startReplay = useCallback((runtimes: string[]) => {
    const chosen = new Map<string, ReplayTimeline>();
    const missing: string[] = [];
    for (const runtime of runtimes) {
      const found = availableRef.current.get(runtime);
      if (found) chosen.set(runtime, buildTimeline(found.recording));
      else missing.push(runtime);
    }
    clock.current?.dispose();
    setTimelines(chosen);
    setPositionMs(0);
    setSession({
      runtimes: [...chosen.keys()],
      missing,
      playing: chosen.size > 0,
      finished: chosen.size === 0,
      speed: 1,
    });
    if (chosen.size === 0) return;
    const replay = new ReplayClock({
      events: [...chosen.values()].flatMap((timeline) => timeline.events),
      onAdvance: setPositionMs,
      onEnd: () => setSession((s) => s && { ...s, playing: false, finished: true }),
    });
    clock.current = replay;
    replay.play();
  }, []);

  useEffect(
    () => () => {
      clock.current?.dispose();
      batch.current?.close();
    },
    [],
  );

  const begin = useCallback(
    (runtimes: string[]): LaunchGuard => {
      batch.current?.close();
      stopReplay();
      const socket = getSocket();
      const watch = watchLaunches({
        runtimes,
        socketConnected: () => socket.connected,
        onUnreachable: startReplay,
        abandon: (runId) => void stopRun(runId).catch(() => undefined),
      });
      batch.current = watch;
      return watch.guard;
    },
    [startReplay, stopReplay],
  );

  const views = useMemo(() => {
    const result = new Map<string, ReplayColumnView>();
    for (const [runtime, timeline] of timelines) {
      const frame = frameAt(timeline, positionMs);
      const recorded = formatCommand(timeline.recording.workload.command);
      result.set(runtime, {
        recording: timeline.recording,
        run: frame.run,
        output: frame.output,
        otherCommand: recorded === commandLine ? null : recorded,
      });
    }
    return result;
  }, [timelines, positionMs, commandLine]);

  const loadFile = useCallback(
    async (file: File) => {
      if (file.size > maxRecordingBytes) {
        setLoadMessage({ ok: false, text: `${file.name} is too large to be a recording.` });
        return;
      }
      const text = await file.text();
      const parsed = parseRecording(text);
      if (!parsed.ok) {
        setLoadMessage({ ok: false, text: `${file.name}: ${parsed.message}` });
        return;
      }
      const { recording } = parsed;
      merge(new Map([[recording.runtime.id, recording]]), "file");
      let kept = "";
      try {
        await keepRecording(key, recording, text.length);
      } catch (err) {
        kept = ` It is not kept in this browser (${err instanceof Error ? err.message : String(err)}), so load it again after a reload.`;
      }
      setLoadMessage({
        ok: true,
        text: `Loaded ${recording.runtime.name}: ${describeRecording(recording)}. It plays if the server cannot be reached.${kept}`,
      });
    },
    [key, merge],
  );

  return {
    available,
    session,
    begin,
    replayFor: (runtimeId) => views.get(runtimeId),
    pause: () => {
      clock.current?.pause();
      setSession((s) => s && { ...s, playing: false });
    },
    resume: () => {
      clock.current?.play();
      setSession((s) => s && { ...s, playing: !s.finished });
    },
    setSpeed: (speed) => {
      clock.current?.setSpeed(speed);
      setSession((s) => s && { ...s, speed });
    },
    loadFile,
    loadMessage,
  };
}
