// The label on every replayed column: a recording, from which host and when, and not live.
import { describeRecording, formatRecordedAt, type Recording } from "@/lib/recordings/recording";

export function RecordingLabel({
  recording,
  runtimeId,
  otherCommand,
}: {
  recording: Recording;
  runtimeId: string;
  /** The recorded command, when it is not this demo's. */
  otherCommand: string | null;
}) {
  return (
    <div
      role="status"
      data-testid={`recording-label-${runtimeId}`}
      className="rounded-md border-2 border-dashed border-violet-700 bg-violet-50 px-3 py-2 text-violet-950"
    >
      <p className="font-semibold">
        <span className="sr-only">{describeRecording(recording)}</span>
        <span aria-hidden="true">
          Recording — {recording.host.hostname},{" "}
          <time dateTime={recording.recordedAt}>{formatRecordedAt(recording.recordedAt)}</time> (not
          live)
        </span>
      </p>
      <p className="text-sm">
        Replayed at its original pace; {recording.runtime.name}
        {recording.runtime.version ? ` ${recording.runtime.version}` : ""} on{" "}
        {recording.host.kernel}.
      </p>
      {otherCommand && (
        <p className="mt-1 text-sm">
          Recorded with another command: <code className="font-mono">{otherCommand}</code>
        </p>
      )}
    </div>
  );
}
