// A run's output: the whole of it up to the output limit (for GET /logs), and a bounded tail for late subscribers.
import { StringDecoder } from "node:string_decoder";

export interface OutputChunk {
  /** Characters of output before this chunk. */
  offset: number;
  data: string;
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

  constructor(
    private readonly limitBytes: number,
    private readonly backlogLimitChars: number,
  ) {}

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

  private push(text: string): void {
    if (!text) return;
    const chunk = { offset: this.length, data: text };
    this.length += text.length;
    this.captured.push(text);
    this.chunks.push(chunk);
    this.backlogChars += text.length;
    while (this.backlogChars > this.backlogLimitChars && this.chunks.length > 1) {
      const dropped = this.chunks.shift();
      if (dropped) this.backlogChars -= dropped.data.length;
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
