// containerd's event stream (`ctr events`): the daemon's own timestamps for container and task moments.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface ContainerdEvent {
  /** Epoch milliseconds, with the sub-millisecond part kept as a fraction. */
  atMs: number;
  namespace: string;
  /** e.g. "/tasks/start". */
  topic: string;
  /** The container the event is about, when it is about one. */
  containerId: string | null;
  payload: Record<string, unknown>;
}

// ctr prints Go's time.Time String(): "2024-01-01 00:00:00.123456789 +0000 UTC ns /topic {json}".
const eventLine =
  /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))? ([+-])(\d{2})(\d{2}) \S+ (\S+) (\/\S+) (.*)$/;

export function parseContainerdEvent(line: string): ContainerdEvent | null {
  const m = eventLine.exec(line.trim());
  if (!m) return null;
  const [, date, time, fraction = "", sign, offH, offM, namespace, topic, json] = m;
  const wholeMs = Date.parse(`${date}T${time}${sign}${offH}:${offM}`);
  if (Number.isNaN(wholeMs)) return null;
  // Go trims trailing zeros of the fraction, so "22.8917" means 891.7 ms: pad before reading.
  const fractionMs = Number(`0.${fraction.padEnd(9, "0")}`) * 1000;
  let payload: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === "object") payload = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const id = topic.startsWith("/tasks/") ? payload.container_id : payload.id;
  return {
    atMs: wholeMs + fractionMs,
    namespace,
    topic,
    containerId:
      topic.startsWith("/containers/") || topic.startsWith("/tasks/") ? asString(id) : null,
    payload,
  };
}

/** containerd's RFC 3339 time fields (e.g. exited_at) in epoch milliseconds. */
export function parseRfc3339Ms(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return null;
  return whole + Number(`0.${(m[2] ?? "").padEnd(9, "0")}`) * 1000;
}

function asString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

type Listener = (event: ContainerdEvent) => void;

/**
 * One `ctr events` subscription shared by every launch; each launch listens for its own container.
 * ready() resolves once an event we caused ourselves came back, so no launch starts before the stream is live.
 */
export class ContainerdEventStream {
  private child: ChildProcess | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly pings = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly ctr: string,
    private readonly address: string,
    private readonly namespace: string,
  ) {}

  start(): void {
    if (this.child || this.closed) return;
    const child = spawn(
      this.ctr,
      ["--address", this.address, "events", `namespace==${this.namespace}`],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    this.child = child;
    createInterface({ input: child.stdout! }).on("line", (line) => this.dispatch(line));
    child.once("close", () => {
      this.child = null;
      // The daemon restarted or the CLI died: subscribe again, later launches still want their moments.
      if (!this.closed) setTimeout(() => this.start(), 200).unref();
    });
    child.once("error", () => undefined);
  }

  /** Resolves true once the stream delivered `ping`'s event, false after the deadline. */
  async ready(ping: (token: string) => Promise<void>, timeoutMs = 3_000): Promise<boolean> {
    this.start();
    const token = `${process.pid}-${Date.now()}`;
    const seen = new Promise<boolean>((resolve) => this.pings.set(token, () => resolve(true)));
    const deadline = Date.now() + timeoutMs;
    // The subscription is set up asynchronously: repeat the ping until one comes back.
    while (Date.now() < deadline) {
      await ping(token);
      const answered = await Promise.race([
        seen,
        new Promise<false>((r) => setTimeout(() => r(false), 100)),
      ]);
      if (answered) {
        this.pings.delete(token);
        return true;
      }
    }
    this.pings.delete(token);
    return false;
  }

  /** Calls `listener` with every event about `containerId` until the returned function is called. */
  subscribe(containerId: string, listener: Listener): () => void {
    const set = this.listeners.get(containerId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(containerId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(containerId);
    };
  }

  close(): void {
    this.closed = true;
    this.child?.kill("SIGKILL");
    this.child = null;
  }

  private dispatch(line: string): void {
    const event = parseContainerdEvent(line);
    if (!event) return;
    if (event.topic === "/namespaces/update") {
      const labels = (event.payload.labels ?? {}) as Record<string, string>;
      const answer = this.pings.get(labels[pingLabel] ?? "");
      answer?.();
      return;
    }
    if (!event.containerId) return;
    for (const listener of this.listeners.get(event.containerId) ?? []) listener(event);
  }
}

/** The namespace label whose update event proves the subscription is live. */
export const pingLabel = "sandbox-playground/events-ping";
