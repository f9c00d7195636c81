import { describe, expect, it } from "vitest";
import { ConsoleReader, LineSplitter, parseControlLine } from "./guest-streams";

describe("parseControlLine", () => {
  it("reads phases, exit codes and errors", () => {
    expect(parseControlLine("phase modulesLoaded\n")).toEqual({
      type: "phase",
      name: "modulesLoaded",
    });
    expect(parseControlLine("exit 3")).toEqual({ type: "exit", code: 3 });
    expect(parseControlLine("error cannot mount the root filesystem")).toEqual({
      type: "error",
      message: "cannot mount the root filesystem",
    });
  });

  it("ignores what it does not know", () => {
    expect(parseControlLine("exit -1")).toBeNull();
    expect(parseControlLine("exit 1234")).toBeNull();
    expect(parseControlLine("phase two words")).toBeNull();
    expect(parseControlLine("phase kernelLoaded")).toBeNull();
    expect(parseControlLine("hello")).toBeNull();
  });
});

describe("LineSplitter", () => {
  it("keeps a partial line until its newline arrives", () => {
    const lines = new LineSplitter();
    expect(lines.push(Buffer.from("a\nb"))).toEqual([Buffer.from("a\n")]);
    expect(lines.push(Buffer.from("c\n"))).toEqual([Buffer.from("bc\n")]);
    expect(lines.rest()).toEqual(Buffer.alloc(0));
  });
});

describe("ConsoleReader", () => {
  const texts = (events: ReturnType<ConsoleReader["push"]>) =>
    events.map((e) => (e.type === "marker" ? `<${e.name}>` : `${e.type}:${e.bytes.toString()}`));

  it("forwards boot lines without \\r, takes out markers, passes the workload through as is", () => {
    const reader = new ConsoleReader();
    expect(texts(reader.push(Buffer.from("[    0.28] PCI: x\r\nsbpg-guest:in")))).toEqual([
      "boot:[    0.28] PCI: x\n",
    ]);
    expect(texts(reader.push(Buffer.from("it\nsbpg-guest:workload\nhello\r\npart")))).toEqual([
      "<init>",
      "<workload>",
      "workload:hello\r\npart",
    ]);
    // After the marker nothing is parsed: a workload printing a marker is just output.
    expect(texts(reader.push(Buffer.from("sbpg-guest:init\n")))).toEqual([
      "workload:sbpg-guest:init\n",
    ]);
  });

  it("gives back a last boot line that has no newline", () => {
    const reader = new ConsoleReader();
    reader.push(Buffer.from("Kernel panic - not syncing"));
    const rest = reader.end();
    expect(rest.type).toBe("boot");
    expect(rest.bytes.toString()).toBe("Kernel panic - not syncing");
  });
});
