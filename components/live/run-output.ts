// Joins a run's output chunks by offset: the server sends its backlog then live output, and the two may overlap.
import type { LogChunk, RunSnapshot } from "@/lib/api/schemas";
import { isTerminalState } from "@/lib/api/schemas";

export interface RunOutput {
  text: string;
  /** Characters of the run's output covered so far; `text` may be longer where it notes a gap. */
  end: number;
}

export const emptyOutput: RunOutput = { text: "", end: 0 };

export function appendChunk(
  output: RunOutput,
  chunk: Pick<LogChunk, "offset" | "data">,
): RunOutput {
  const chunkEnd = chunk.offset + chunk.data.length;
  if (chunkEnd <= output.end) return output;
  if (chunk.offset > output.end) {
    // The server keeps a bounded backlog, so a late subscriber can miss the oldest output.
    const missed = chunk.offset - output.end;
    const note = `${output.end === 0 ? "" : "\n"}[${missed} earlier characters are no longer kept by the server]\n`;
    return { text: output.text + note + chunk.data, end: chunkEnd };
  }
  return { text: output.text + chunk.data.slice(output.end - chunk.offset), end: chunkEnd };
}

/**
 * Snapshots reach the browser from the subscribe ack, live events and fallback polling, which can
 * arrive out of order; a run never leaves a terminal state and never loses a timing.
 */
export function newerSnapshot(current: RunSnapshot | null, next: RunSnapshot): RunSnapshot {
  if (!current) return next;
  const rank = (run: RunSnapshot) =>
    (isTerminalState(run.state) ? 1_000_000 : 0) + Object.keys(run.timings).length;
  return rank(next) >= rank(current) ? next : current;
}
