// Guest console lines as Kata 4.1.0 writes them; each fixture names the upstream code it follows.
import { describe, expect, it } from "vitest";
import { parseKataConsoleLine, parseLogfmt, readRustDebugString } from "./kata-console-log";

/**
 * The Go shim, Kata 4.1.0: src/runtime/virtcontainers/sandbox.go (consoleWatcher.start) logs each line at debug
 * with the fields console-protocol, console-url, sandbox, vmconsole; Sandbox.Logger adds subsystem=sandbox,
 * virtcontainers' SetLogger source=virtcontainers over src/runtime/pkg/containerd-shim-v2/service.go's shimLog
 * (name, pid). containerd v1.7.33's shim library (runtime/v2/shim/shim.go, setLogger) formats with logrus
 * v1.9.4's TextFormatter (RFC3339NanoFixed time, keys sorted, values %q-quoted when needed) into the shim log
 * fifo, which containerd copies verbatim to its own stderr (runtime/v2/shim.go).
 */
const goShimLine = (sandbox: string, vmconsole: string) =>
  `time="2026-08-21T09:39:39.123456789Z" level=debug msg="reading guest console" console-protocol=unix ` +
  `console-url=/run/vc/vm/${sandbox}/console.sock name=containerd-shim-v2 pid=4242 sandbox=${sandbox} ` +
  `source=virtcontainers subsystem=sandbox vmconsole=${vmconsole}`;

/**
 * runtime-rs, Kata 4.1.0: src/runtime-rs/crates/shim/src/logger.rs sends every record to the journal
 * (LogDestination::Journal, SYSLOG_IDENTIFIER=kata) with src/libs/logging/src/lib.rs's fields (version, subsystem,
 * pid, name, source = the sandbox id; component/subsystem "hypervisor" from register_component_logger);
 * slog-journald upper-cases the keys and maps info to PRIORITY 5. Read back with `journalctl -o json`.
 */
const journalRecord = (message: string, extra: Record<string, string> = {}) =>
  JSON.stringify({
    __REALTIME_TIMESTAMP: "1787303979123456",
    PRIORITY: "5",
    SYSLOG_IDENTIFIER: "kata",
    _COMM: "containerd-shim",
    _PID: "4242",
    MESSAGE: message,
    VERSION: "0.1.0",
    SUBSYSTEM: "hypervisor",
    COMPONENT: "hypervisor",
    PID: "4242",
    NAME: "kata-runtime",
    SOURCE: "sbpg-7",
    ...extra,
  });

describe("Kata console log: the Go shim (4.1.0 sandbox.go, logrus text via containerd)", () => {
  it("reads the kernel's first line with its time and sandbox", () => {
    const line = goShimLine(
      "sbpg-1",
      '"[    0.000000] Linux version 6.12.47 (kata@build) (gcc 13.3.0) #1 SMP"',
    );
    expect(parseKataConsoleLine(line)).toEqual({
      timestampMs: Date.parse("2026-08-21T09:39:39.123Z") + 0.456789,
      line: "[    0.000000] Linux version 6.12.47 (kata@build) (gcc 13.3.0) #1 SMP",
      sandbox: "sbpg-1",
    });
  });

  it("decodes logrus's %q of a colored systemd line (raw bytes as \\x1b)", () => {
    const line = goShimLine("sbpg-1", '"[\\x1b[0;32m  OK  \\x1b[0m] Reached target basic.target."');
    expect(parseKataConsoleLine(line)!.line).toBe(
      "[\x1b[0;32m  OK  \x1b[0m] Reached target basic.target.",
    );
  });

  it("unquotes an agent's JSON log line carried through the console", () => {
    const line = goShimLine(
      "sbpg-1",
      '"{\\"msg\\":\\"announce\\",\\"level\\":\\"INFO\\",\\"name\\":\\"kata-agent\\"}"',
    );
    expect(JSON.parse(parseKataConsoleLine(line)!.line)).toEqual({
      msg: "announce",
      level: "INFO",
      name: "kata-agent",
    });
  });

  it("passes over the shim's other lines", () => {
    expect(
      parseKataConsoleLine(
        'time="2026-08-21T09:39:39.123456789Z" level=info msg="console watcher quits" name=containerd-shim-v2 pid=4242 sandbox=sbpg-1 source=virtcontainers subsystem=sandbox',
      ),
    ).toBeNull();
    expect(parseKataConsoleLine("")).toBeNull();
  });

  it("strips a journald prefix (a host containerd's log read with journalctl)", () => {
    const line = `Aug 21 09:39:39 host containerd[1595]: ${goShimLine("x", '"[    0.412345] Run /sbin/init as init process"')}`;
    expect(parseKataConsoleLine(line)).toMatchObject({
      line: "[    0.412345] Run /sbin/init as init process",
      sandbox: "x",
    });
  });
});

describe("Kata console log: runtime-rs (4.1.0, slog-journald records)", () => {
  it("reads QEMU's `vm console: {:?}` (crates/hypervisor/src/qemu/inner.rs, log_qemu_console)", () => {
    const record = journalRecord(
      'vm console: "[    0.000000] Linux version 6.12.47 (kata@build) #1 SMP \\"x\\" \\\\ end"',
    );
    expect(parseKataConsoleLine(record)).toEqual({
      timestampMs: 1787303979123.456,
      line: '[    0.000000] Linux version 6.12.47 (kata@build) #1 SMP "x" \\ end',
      sandbox: "sbpg-7",
    });
  });

  it("decodes Rust's \\u{1b} escapes of a colored line", () => {
    const record = journalRecord(
      'vm console: "[\\u{1b}[0;32m  OK  \\u{1b}[0m] Reached target basic.target.\\r"',
    );
    expect(parseKataConsoleLine(record)!.line).toBe(
      "[\x1b[0;32m  OK  \x1b[0m] Reached target basic.target.",
    );
  });

  it("reads Cloud Hypervisor's stdout lines (crates/hypervisor/src/ch/inner_hypervisor.rs)", () => {
    const record = journalRecord('"[    0.051234] smpboot: CPU0: AMD EPYC"', { STREAM: "stdout" });
    expect(parseKataConsoleLine(record)!.line).toBe("[    0.051234] smpboot: CPU0: AMD EPYC");
    expect(
      parseKataConsoleLine(
        journalRecord('"cloud-hypervisor: 1.2ms: <vmm> INFO:vmm/src/lib.rs"', { STREAM: "stderr" }),
      ),
    ).toBeNull();
  });

  it("passes over runtime-rs's other records and other programs' journal lines", () => {
    expect(parseKataConsoleLine(journalRecord("starting reading qemu console"))).toBeNull();
    expect(
      parseKataConsoleLine(
        JSON.stringify({ MESSAGE: 'vm console: "x"', SYSLOG_IDENTIFIER: "sshd" }),
      ),
    ).toBeNull();
  });
});

describe("quoting", () => {
  it("reads Rust {:?} strings and refuses what is not one", () => {
    expect(readRustDebugString('"a\\tb \\u{e9} é \\0"')).toBe("a\tb é é \0");
    expect(readRustDebugString("plain")).toBeNull();
  });

  it("parses logfmt keys without values and unterminated quotes", () => {
    expect(parseLogfmt('a=1 b c="x y" d="open')).toEqual({ a: "1", b: "", c: "x y", d: "open" });
  });
});
