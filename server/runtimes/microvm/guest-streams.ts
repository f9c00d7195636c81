// Reads the guest's two streams: the serial console (boot log, then the workload's output) and the control port.
import { consoleMarkers, controlPhases } from "../../images/microvm/guest-protocol";

export type ControlMessage =
  | { type: "phase"; name: ControlPhase }
  | { type: "exit"; code: number }
  | { type: "error"; message: string };

type ControlPhase = (typeof controlPhases)[number];
const isControlPhase = (name: string): name is ControlPhase =>
  (controlPhases as readonly string[]).includes(name);

export function parseControlLine(line: string): ControlMessage | null {
  const match = /^(phase|exit|error) (.*)$/.exec(line.trim());
  if (!match) return null;
  const [, type, rest] = match;
  // Only the phases the protocol names: a run's timings hold nothing the chart and the schema do not know.
  if (type === "phase") return isControlPhase(rest) ? { type, name: rest } : null;
  if (type === "exit") return /^\d{1,3}$/.test(rest) ? { type, code: Number(rest) } : null;
  return { type: "error", message: rest };
}

/** Splits a byte stream into lines; a trailing partial line waits for more. */
export class LineSplitter {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const lines: Buffer[] = [];
    let newline: number;
    while ((newline = this.pending.indexOf(0x0a)) >= 0) {
      lines.push(this.pending.subarray(0, newline + 1));
      this.pending = this.pending.subarray(newline + 1);
    }
    return lines;
  }

  rest(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}

export type ConsoleEvent =
  | { type: "boot"; bytes: Buffer }
  | { type: "workload"; bytes: Buffer }
  | { type: "marker"; name: keyof typeof consoleMarkers };

/**
 * Boot log line by line until the workload marker, markers taken out and the kernel's \r\n made \n;
 * after it the workload's bytes pass through untouched, as soon as they arrive (the init silences the
 * kernel's console once the workload ends, so its power-off line does not land in the workload's output).
 */
export class ConsoleReader {
  private readonly lines = new LineSplitter();
  private inWorkload = false;

  push(chunk: Buffer): ConsoleEvent[] {
    if (this.inWorkload) return [{ type: "workload", bytes: chunk }];
    const events: ConsoleEvent[] = [];
    const lines = this.lines.push(chunk);
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i].toString("latin1").replace(/\r?\n$/, "");
      const marker = (Object.keys(consoleMarkers) as Array<keyof typeof consoleMarkers>).find(
        (m) => consoleMarkers[m] === text,
      );
      if (marker) {
        events.push({ type: "marker", name: marker });
        if (marker === "workload") {
          this.inWorkload = true;
          const after = Buffer.concat([...lines.slice(i + 1), this.lines.rest()]);
          if (after.length) events.push({ type: "workload", bytes: after });
          return events;
        }
        continue;
      }
      events.push({ type: "boot", bytes: Buffer.from(`${text.replace(/\r$/, "")}\n`, "latin1") });
    }
    return events;
  }

  /** What is left when the stream ends: a last boot line without its newline, if the workload never started. */
  end(): { type: "boot" | "workload"; bytes: Buffer } {
    return { type: this.inWorkload ? "workload" : "boot", bytes: this.lines.rest() };
  }
}
