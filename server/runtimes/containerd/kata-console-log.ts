// Guest console lines out of Kata's logs, as Kata 4.1.0 writes them: the Go shim's logfmt `vmconsole="..."` in
// containerd's log, runtime-rs's `vm console: "..."` records in the systemd journal (`journalctl -o json`).

export interface KataConsoleLine {
  /** When the shim logged the line (epoch ms), if the log line carries a time. */
  timestampMs: number | null;
  line: string;
  /** The sandbox id (the container id for `ctr run`), when the log line names it. */
  sandbox: string | null;
}

/**
 * Returns the console line a shim log line carries, or null for any other log line. Empty console lines are
 * dropped: Cloud Hypervisor's pty console logs a blank entry after every real one (kata-containers#10737).
 */
export function parseKataConsoleLine(raw: string): KataConsoleLine | null {
  const text = raw.trim();
  const json = text.indexOf("{");
  const logfmt = text.search(/(?:^|\s)(?:time|level|msg)=/);
  // A journald or syslog prefix may come first; whichever format starts earliest is the record.
  if (json >= 0 && (logfmt < 0 || json < logfmt)) return fromJson(text.slice(json));
  if (logfmt >= 0) return fromLogfmt(text.slice(logfmt).trimStart());
  return null;
}

function fromLogfmt(text: string): KataConsoleLine | null {
  const fields = parseLogfmt(text);
  const line = fields.vmconsole;
  if (line === undefined || line.trim() === "") return null;
  return {
    timestampMs: parseTime(fields.time),
    line: stripLineEnd(line),
    sandbox: fields.sandbox ?? fields.sid ?? null,
  };
}

/**
 * runtime-rs (4.1.0) logs through slog-journald, so a record read back with `journalctl -o json` has upper-cased
 * fields: SOURCE is the sandbox id. QEMU's console is the MESSAGE `vm console: "<line>"`
 * (crates/hypervisor/src/qemu/inner.rs, log_qemu_console); Cloud Hypervisor's, with debug on, is the MESSAGE
 * `"<line>"` of a record with STREAM=stdout (crates/hypervisor/src/ch/inner_hypervisor.rs). Both quote the
 * line with Rust's `{:?}`.
 */
function fromJson(text: string): KataConsoleLine | null {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== "object") return null;
    record = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const str = (key: string) =>
    typeof record[key] === "string" ? (record[key] as string) : undefined;
  const message = str("MESSAGE");
  if (message === undefined || str("SYSLOG_IDENTIFIER") !== "kata") return null;
  const quoted = message.startsWith("vm console: ")
    ? message.slice("vm console: ".length)
    : str("STREAM") === "stdout"
      ? message
      : null;
  const line = quoted === null ? null : readRustDebugString(quoted);
  if (line === null || line.trim() === "") return null;
  const micros = Number(str("__REALTIME_TIMESTAMP"));
  return {
    timestampMs: Number.isFinite(micros) && micros > 0 ? micros / 1000 : null,
    line: stripLineEnd(line),
    sandbox: str("SOURCE") ?? null,
  };
}

/** Reads a string as Rust's `{:?}` writes it (`"a\"b\u{1b}"`); null if it is not one. */
export function readRustDebugString(text: string): string | null {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return null;
  let out = "";
  for (let i = 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = text[++i];
    if (e === "u" && text[i + 1] === "{") {
      const close = text.indexOf("}", i);
      out += String.fromCodePoint(parseInt(text.slice(i + 2, close), 16));
      i = close;
    } else out += rustEscapes[e] ?? e;
  }
  return out;
}

const rustEscapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", "0": "\0" };

function stripLineEnd(line: string): string {
  return line.replace(/[\r\n]+$/, "");
}

function parseTime(value: string | undefined): number | null {
  if (!value) return null;
  // Date.parse keeps milliseconds only; Go and Rust print up to nanoseconds, which it rejects in some forms.
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return null;
  return whole + Number(`0.${(m[2] ?? "").padEnd(9, "0")}`) * 1000;
}

/** logfmt as logrus writes it: key=value, values with spaces or quotes are Go-quoted strings. */
export function parseLogfmt(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === " ") i++;
    const keyStart = i;
    while (i < text.length && text[i] !== "=" && text[i] !== " ") i++;
    const key = text.slice(keyStart, i);
    if (text[i] !== "=") {
      if (key) fields[key] = "";
      continue;
    }
    i++;
    if (text[i] === '"') {
      const { value, end } = readGoQuoted(text, i);
      fields[key] = value;
      i = end;
    } else {
      const valueStart = i;
      while (i < text.length && text[i] !== " ") i++;
      fields[key] = text.slice(valueStart, i);
    }
  }
  return fields;
}

const simpleEscapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** Reads a Go strconv.Quote string starting at the opening quote; an unterminated one runs to the end. */
function readGoQuoted(text: string, open: number): { value: string; end: number } {
  const bytes: number[] = [];
  const pushText = (s: string) => bytes.push(...Buffer.from(s, "utf8"));
  let i = open + 1;
  while (i < text.length && text[i] !== '"') {
    const c = text[i];
    if (c !== "\\") {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = text[i + 1] ?? "";
    if (e in simpleEscapes) {
      pushText(simpleEscapes[e]);
      i += 2;
    } else if (e === "x") {
      // \xNN is a raw byte (Go quotes invalid UTF-8 that way): collect bytes, decode once at the end.
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === "u" || e === "U") {
      const len = e === "u" ? 4 : 8;
      pushText(String.fromCodePoint(parseInt(text.slice(i + 2, i + 2 + len), 16)));
      i += 2 + len;
    } else if (/[0-7]/.test(e)) {
      bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 4;
    } else {
      pushText(e);
      i += 2;
    }
  }
  return { value: Buffer.from(bytes).toString("utf8"), end: i + 1 };
}
