import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { isStaticElf } from "./busybox-image";

describe("isStaticElf", () => {
  it("tells a dynamically linked binary (with an interpreter) from a static one", async () => {
    // node is dynamically linked on Debian; a static ELF has no PT_INTERP header.
    expect(isStaticElf(await readFile(process.execPath))).toBe(false);
    const fake = Buffer.alloc(64 + 56);
    fake.writeUInt32BE(0x7f454c46, 0);
    fake[4] = 2;
    fake.writeBigUInt64LE(64n, 32);
    fake.writeUInt16LE(56, 54);
    fake.writeUInt16LE(1, 56);
    fake.writeUInt32LE(1, 64); // PT_LOAD only
    expect(isStaticElf(fake)).toBe(true);
    fake.writeUInt32LE(3, 64); // PT_INTERP
    expect(isStaticElf(fake)).toBe(false);
  });

  it("rejects what is not a 64-bit ELF", () => {
    expect(isStaticElf(Buffer.from("#!/bin/sh\n"))).toBe(false);
  });
});
