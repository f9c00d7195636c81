"use client";
// "Save recording" on a finished run: downloads the file and keeps a copy in this browser for the replay fallback.
import { useState } from "react";
import { ApiErrorSchema } from "@/lib/api/schemas";
import { parseRecording, recordingFileName, type Recording } from "@/lib/recordings/recording";
import { workloadKey } from "@/lib/recordings/workload-key";
import { keepRecording } from "./recording-store";
import { announceRecordingsChanged } from "./recording-events";

export function SaveRecordingButton({ runId, runtimeId }: { runId: string; runtimeId: string }) {
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const save = async () => {
    setSaving(true);
    setMessage(null);
    try {
      const { recording, text } = await fetchRecording(runId);
      downloadFile(recordingFileName(recording), text);
      try {
        await keepRecording(workloadKey(recording.workload), recording, text.length);
        announceRecordingsChanged();
        setMessage({
          ok: true,
          text: "Saved: downloaded, and kept in this browser to replay if the server cannot be reached.",
        });
      } catch (err) {
        setMessage({
          ok: false,
          text: `Downloaded, but not kept in this browser: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        onClick={() => void save()}
        disabled={saving}
        data-testid={`save-recording-${runtimeId}`}
        className="rounded-md border border-line px-3 py-1.5 text-sm font-semibold text-ink hover:bg-surface-raised disabled:opacity-60"
      >
        {saving ? "Saving…" : "Save recording"}
      </button>
      <p
        role="status"
        data-testid={`save-recording-status-${runtimeId}`}
        className={`text-sm ${message?.ok === false ? "text-red-800" : "text-muted"}`}
      >
        {message?.text}
      </p>
    </div>
  );
}

async function fetchRecording(runId: string): Promise<{ recording: Recording; text: string }> {
  let response: Response;
  try {
    response = await fetch(`/api/runs/${encodeURIComponent(runId)}/recording`, {
      cache: "no-store",
    });
  } catch {
    throw new Error("The playground server cannot be reached, so the run cannot be recorded now.");
  }
  const text = await response.text();
  if (!response.ok) {
    const error = ApiErrorSchema.safeParse(safeJson(text));
    throw new Error(
      error.success ? error.data.error.message : `The server answered ${response.status}.`,
    );
  }
  const parsed = parseRecording(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return { recording: parsed.recording, text };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function downloadFile(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the object URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
