// A run's output: the whole of it up to the output limit (for GET /logs), and a bounded tail for late subscribers.
import { performance } from "node:perf_hooks";
import { StringDecoder } from "node:string_decoder";

export interface OutputChunk {
  /** Characters of output before this chunk. */
  offset: number;
  data: string;
}

/** Output as it was written over time: a recording replays it at this pace. */
export interface TimedChunk {
  /** Milliseconds since the run was requested (monotonic). */
  atMs: number;
  data: string;
}

export interface OutputLogOptions {
  /** Monotonic milliseconds since the run was requested; defaults to time since the log was made. */
  elapsedMs?: () => number;
  /** At most this many timed chunks are kept; past it, neighbours merge at a coarser resolution. */
  maxTimedChunks?: number;
}

export interface AppendResult {
  accepted: string;
  /** True on the call that crossed the output limit. */
  limitReached: boolean;
}

export class OutputLog {
  private readonly decoder = new StringDecoder("utf8");
  private readonly chunks: OutputChunk[] = [];
  private backlogChars = 0;
  private storedBytes = 0;
  private length = 0;
  private full = false;
  private readonly captured: string[] = [];
  private readonly elapsedMs: () => number;
  private readonly maxTimedChunks: number;
  /** Parallel arrays, one entry per timed chunk: when it was written, and the character offset it ends at. */
  private timedAt: number[] = [];
  private timedEnd: number[] = [];
  /** Chunks closer together than this share one entry; it doubles whenever the entries reach their cap. */
  private resolutionMs = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly backlogLimitChars: number,
    options: OutputLogOptions = {},
  ) {
    const createdAt = performance.now();
    this.elapsedMs = options.elapsedMs ?? (() => performance.now() - createdAt);
    this.maxTimedChunks = Math.max(2, options.maxTimedChunks ?? 4096);
  }

  get truncated(): boolean {
    return this.full;
  }

  get totalChars(): number {
    return this.length;
  }

  /** Takes raw bytes from the sandbox; past the limit it keeps nothing and says so once. */
  append(bytes: Buffer): AppendResult {
    if (this.full) return { accepted: "", limitReached: false };
    const room = this.limitBytes - this.storedBytes;
    const limitReached = bytes.length > room;
    const kept = limitReached ? bytes.subarray(0, room) : bytes;
    this.storedBytes += kept.length;
    let text = this.decoder.write(kept);
    if (limitReached) {
      this.full = true;
      text += this.decoder.end();
      text += `\n[output truncated: the sandbox wrote more than ${formatBytes(this.limitBytes)}; it was stopped]\n`;
    }
    this.push(text);
    return { accepted: text, limitReached };
  }

  /** Adds a line of the playground's own (not the sandbox's), e.g. why a run ended. */
  note(text: string): string {
    this.push(text);
    return text;
  }

  /** What a late subscriber gets: the retained tail, with its offset. */
  backlog(): OutputChunk[] {
    return this.chunks.map((c) => ({ ...c }));
  }

  text(): string {
    return this.captured.join("");
  }

  /** The whole output, cut where it was written, each piece with its time (merged when there were very many). */
  timed(): TimedChunk[] {
    const text = this.text();
    return this.timedAt.map((atMs, i) => ({
      atMs,
      data: text.slice(i === 0 ? 0 : this.timedEnd[i - 1], this.timedEnd[i]),
    }));
  }

  private push(text: string): void {
    if (!text) return;
    const chunk = { offset: this.length, data: text };
    this.length += text.length;
    this.stamp(Math.round(Math.max(0, this.elapsedMs()) * 100) / 100);
    this.captured.push(text);
    this.chunks.push(chunk);
    this.backlogChars += text.length;
    while (this.backlogChars > this.backlogLimitChars && this.chunks.length > 1) {
      const dropped = this.chunks.shift();
      if (dropped) this.backlogChars -= dropped.data.length;
    }
  }

  private stamp(atMs: number): void {
    const last = this.timedAt.length - 1;
    if (last >= 0 && atMs - this.timedAt[last] < this.resolutionMs) {
      this.timedEnd[last] = this.length;
      return;
    }
    this.timedAt.push(atMs);
    this.timedEnd.push(this.length);
    while (this.timedAt.length > this.maxTimedChunks) this.coarsen();
  }

  /** Doubles the resolution and merges neighbours that now fall within it; a merged chunk keeps its earliest time. */
  private coarsen(): void {
    this.resolutionMs = Math.max(1, this.resolutionMs * 2);
    const at: number[] = [];
    const end: number[] = [];
    this.timedAt.forEach((time, i) => {
      if (at.length > 0 && time - at[at.length - 1] < this.resolutionMs)
        end[end.length - 1] = this.timedEnd[i];
      else {
        at.push(time);
        end.push(this.timedEnd[i]);
      }
    });
    this.timedAt = at;
    this.timedEnd = end;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
