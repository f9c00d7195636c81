// Guest console lines from real-looking Kata shim logs (Go runtime logfmt, runtime-rs JSON).
import { describe, expect, it } from "vitest";
import { parseKataConsoleLine, parseLogfmt } from "./kata-console-log";

describe("Kata console log", () => {
  it("reads the kernel's first line from the Go runtime's logfmt", () => {
    const line =
      'time="2024-01-01T00:00:00.123456789Z" level=debug msg="reading guest console" console-protocol=unix ' +
      "console-url=/run/vc/vm/abc/console.sock pid=123 sandbox=abc source=virtcontainers subsystem=sandbox " +
      'vmconsole="[    0.000000] Linux version 6.1.62 (kata@build) (gcc (Ubuntu 11.4.0) 11.4.0) #1 SMP"';
    expect(parseKataConsoleLine(line)).toEqual({
      timestampMs: Date.parse("2024-01-01T00:00:00.123Z") + 0.456789,
      line: "[    0.000000] Linux version 6.1.62 (kata@build) (gcc (Ubuntu 11.4.0) 11.4.0) #1 SMP",
      sandbox: "abc",
    });
  });

  it("unquotes an agent's JSON log line carried through the console", () => {
    const line =
      'time="2025-01-13T22:49:25.1073975Z" level=debug msg="reading guest console" console-protocol=pty console-url=/dev/pts/0 ' +
      'name=containerd-shim-v2 pid=4242 sandbox=sbpg-1 source=virtcontainers subsystem=sandbox vmconsole="{\\"msg\\":\\"https_proxy is not set\\",\\"level\\":\\"INFO\\",\\"name\\":\\"kata-agent\\"}"';
    const parsed = parseKataConsoleLine(line)!;
    expect(parsed.sandbox).toBe("sbpg-1");
    expect(JSON.parse(parsed.line)).toEqual({
      msg: "https_proxy is not set",
      level: "INFO",
      name: "kata-agent",
    });
  });

  it("skips Cloud Hypervisor's blank console entries and ordinary shim lines", () => {
    expect(
      parseKataConsoleLine(
        'time="2025-01-13T22:49:25Z" level=debug msg="reading guest console" subsystem=sandbox vmconsole=',
      ),
    ).toBeNull();
    expect(
      parseKataConsoleLine(
        'time="2025-01-13T22:49:25Z" level=info msg="VM started" sandbox=abc source=virtcontainers subsystem=sandbox',
      ),
    ).toBeNull();
    expect(parseKataConsoleLine("")).toBeNull();
  });

  it("strips a journald prefix", () => {
    const line =
      'May 17 19:43:06 raisin containerd[1595833]: time="2021-05-17T19:43:06.552584864-07:00" level=debug msg="reading guest console" sandbox=x vmconsole="[    0.412345] Run /sbin/init as init process"';
    expect(parseKataConsoleLine(line)).toMatchObject({
      line: "[    0.412345] Run /sbin/init as init process",
      sandbox: "x",
      timestampMs: Date.parse("2021-05-17T19:43:06.552-07:00") + 0.584864,
    });
  });

  it("decodes Go escapes: tabs, unicode and raw bytes", () => {
    const line = 'level=debug vmconsole="a\\tb \\u00e9 \\xc3\\xa9 \\"q\\" \\\\ end\\r\\n"';
    expect(parseKataConsoleLine(line)!.line).toBe('a\tb é é "q" \\ end');
  });

  it("reads runtime-rs JSON lines with a vmconsole field", () => {
    const line =
      '{"msg":"vmm console","level":"DEBG","ts":"2024-03-01T10:00:00.500000000+00:00","pid":"77","version":"3.3.0","subsystem":"hypervisor","name":"kata-runtime","source":"dragonball","sid":"sbpg-9","vmconsole":"[    0.031337] smpboot: CPU0: Intel Xeon"}';
    expect(parseKataConsoleLine(line)).toEqual({
      timestampMs: Date.parse("2024-03-01T10:00:00.500Z"),
      line: "[    0.031337] smpboot: CPU0: Intel Xeon",
      sandbox: "sbpg-9",
    });
  });

  it("reads runtime-rs JSON lines whose console text is in msg", () => {
    const line =
      '{"msg":"[    1.2] EXT4-fs (vda1): mounted","level":"INFO","ts":"2024-03-01T10:00:01Z","subsystem":"vmconsole"}';
    expect(parseKataConsoleLine(line)).toMatchObject({
      line: "[    1.2] EXT4-fs (vda1): mounted",
      sandbox: null,
    });
    const other =
      '{"msg":"sandbox started","level":"INFO","ts":"2024-03-01T10:00:01Z","subsystem":"virt-container"}';
    expect(parseKataConsoleLine(other)).toBeNull();
  });

  it("parses logfmt keys without values and unterminated quotes", () => {
    expect(parseLogfmt('a=1 b c="x y" d="open')).toEqual({ a: "1", b: "", c: "x y", d: "open" });
  });
});
