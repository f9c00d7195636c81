// What a recorded run looked like at a moment of its replay: the phases reached, its state, its output so far.
import { runStates } from "../api/phases";
import type { RunSnapshot, RunState } from "../api/schemas";
import type { Recording } from "./recording";

export interface ReplayTimeline {
  recording: Recording;
  /** Every moment something changes: a phase is reached or output is written. */
  events: number[];
  /** The whole output, and where it stood after each recorded chunk. */
  text: string;
  ends: number[];
}

export function buildTimeline(recording: Recording): ReplayTimeline {
  let end = 0;
  const ends = recording.output.map((chunk) => (end += chunk.data.length));
  const events = [
    ...Object.values(recording.run.timings),
    ...recording.output.map((chunk) => chunk.atMs),
  ];
  return {
    recording,
    events: [...new Set(events)].sort((a, b) => a - b),
    text: recording.output.map((chunk) => chunk.data).join(""),
    ends,
  };
}

export interface ReplayFrame {
  run: RunSnapshot;
  output: { text: string; end: number };
  finished: boolean;
}

/** The run as a live viewer saw it `positionMs` after the request. */
export function frameAt(timeline: ReplayTimeline, positionMs: number): ReplayFrame {
  const { run: final, output } = timeline.recording;
  const timings = Object.fromEntries(
    Object.entries(final.timings).filter(([, ms]) => ms <= positionMs),
  );
  const finalAt = final.timings[final.state];
  const finished = finalAt === undefined ? positionMs >= lastTime(timeline) : positionMs >= finalAt;
  const state = finished ? final.state : stateReached(timings);
  const chunks = countUpTo(output, positionMs);
  const end = chunks === 0 ? 0 : timeline.ends[chunks - 1];
  return {
    run: {
      ...final,
      state,
      timings,
      exitCode: finished ? final.exitCode : null,
      error: finished ? final.error : null,
      memory: finished ? final.memory : null,
      outputTruncated: finished && final.outputTruncated,
      queuePosition: null,
    },
    output: { text: timeline.text.slice(0, end), end },
    finished,
  };
}

/** The latest non-final state whose phase has been reached. */
function stateReached(timings: Record<string, number>): RunState {
  let state: RunState = "queued";
  for (const candidate of runStates) {
    if (candidate === "exited" || candidate === "failed" || candidate === "stopped") break;
    if (timings[candidate] !== undefined) state = candidate;
  }
  return state;
}

/** How many chunks were written by `positionMs` (chunks are in time order). */
function countUpTo(chunks: Recording["output"], positionMs: number): number {
  let low = 0;
  let high = chunks.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (chunks[mid].atMs <= positionMs) low = mid + 1;
    else high = mid;
  }
  return low;
}

function lastTime(timeline: ReplayTimeline): number {
  return timeline.events.length ? timeline.events[timeline.events.length - 1] : 0;
}
