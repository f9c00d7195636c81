"use client";
// Under the Run button: load a recording, see which are ready, and, while the server is unreachable, the replay's controls.
import { useId } from "react";
import type { RuntimeInfo } from "@/lib/api/schemas";
import { describeRecording } from "@/lib/recordings/recording";
import type { RecordingSource, ReplayFallback } from "./use-replay-fallback";

const sources: Record<RecordingSource, string> = {
  browser: "kept in this browser",
  shipped: "shipped with the site",
  file: "loaded from a file",
};

const speeds = [0.5, 1, 2, 4];

export function ReplayControls({
  fallback,
  runtimes,
}: {
  fallback: ReplayFallback;
  runtimes: RuntimeInfo[] | null;
}) {
  const inputId = useId();
  const speedId = useId();
  const nameOf = (id: string) => runtimes?.find((r) => r.id === id)?.name ?? id;
  const { session, available, loadMessage } = fallback;

  return (
    <div className="mt-4 flex flex-col gap-3">
      {session && (
        <div
          role="alert"
          data-testid="replay-banner"
          className="flex flex-col gap-2 rounded-md border-2 border-violet-700 bg-violet-50 p-3 text-violet-950"
        >
          <p className="font-semibold">
            The playground server cannot be reached. Showing recordings of earlier runs at their
            original pace — not live.
          </p>
          {session.missing.length > 0 && (
            <p className="text-sm">
              No recording of this demo for {session.missing.map(nameOf).join(", ")}: save one after
              a live run, or load a file below.
            </p>
          )}
          {session.runtimes.length > 0 && (
            <div className="flex flex-wrap items-center gap-3">
              <button
                type="button"
                data-testid="replay-toggle"
                onClick={session.playing ? fallback.pause : fallback.resume}
                disabled={session.finished}
                className="rounded-md border border-violet-700 px-3 py-1 text-sm font-semibold hover:bg-violet-100 disabled:opacity-60"
              >
                {session.finished ? "Replay ended" : session.playing ? "Pause" : "Resume"}
              </button>
              <label htmlFor={speedId} className="text-sm">
                Speed
              </label>
              <select
                id={speedId}
                value={session.speed}
                disabled={session.finished}
                onChange={(event) => fallback.setSpeed(Number(event.target.value))}
                className="rounded-md border border-violet-700 bg-surface px-2 py-1 text-sm text-ink"
              >
                {speeds.map((speed) => (
                  <option key={speed} value={speed}>
                    {speed}×
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
      )}

      <details className="text-sm">
        <summary className="cursor-pointer font-semibold text-ink">
          Recordings for when the network fails ({available.size})
        </summary>
        <div className="mt-2 flex flex-col gap-2">
          {available.size === 0 ? (
            <p className="text-muted">
              None yet. After a live run, use “Save recording” on its column, or load a file.
            </p>
          ) : (
            <ul
              className="flex list-disc flex-col gap-1 pl-5 text-ink"
              data-testid="recordings-ready"
            >
              {[...available].map(([runtime, { recording, source }]) => (
                <li key={runtime}>
                  {nameOf(runtime)}: {describeRecording(recording)}, {sources[source]}
                </li>
              ))}
            </ul>
          )}
          <div className="flex flex-wrap items-center gap-2">
            <label htmlFor={inputId} className="font-semibold text-ink">
              Load recording
            </label>
            <input
              id={inputId}
              type="file"
              accept=".json,application/json"
              data-testid="load-recording"
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = "";
                if (file) void fallback.loadFile(file);
              }}
              className="text-sm text-ink file:mr-2 file:rounded-md file:border file:border-line file:bg-surface file:px-2 file:py-1 file:text-ink"
            />
          </div>
          <p
            role="status"
            data-testid="load-recording-status"
            className={loadMessage?.ok === false ? "text-red-800" : "text-muted"}
          >
            {loadMessage?.text}
          </p>
        </div>
      </details>
    </div>
  );
}
