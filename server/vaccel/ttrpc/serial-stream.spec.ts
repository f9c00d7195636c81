// The serial:// transport without a VM or a pty: a FIFO opened read-write is a pollable character-style descriptor
// that loops back what is written, so what the client reads first is whatever the test queued before its request.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaccelClient } from "../client/vaccel-client";
import { encodeMessage } from "../proto-root";
import { methodTypes } from "../vaccel-protocol";
import { FrameType, encodeFrame } from "./frame";
import { openSerialStream } from "./serial-stream";
import { encodeTtrpcResponse } from "./ttrpc-messages";

let dir: string;
let fifo: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sbpg-serial-"));
  fifo = path.join(dir, "port");
  execFileSync("mkfifo", [fifo]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("openSerialStream", () => {
  it("reads and writes one descriptor as a stream, and closes", async () => {
    const stream = await openSerialStream(fifo);
    const received = new Promise<string>((resolve) =>
      stream.once("data", (chunk) => resolve(chunk.toString())),
    );
    stream.write("ping");
    expect(await received).toBe("ping");
    const closed = new Promise((resolve) => stream.once("close", resolve));
    stream.destroy();
    await closed;
  });

  it("fails clearly for a device that is not there", async () => {
    await expect(openSerialStream(path.join(dir, "absent"))).rejects.toThrow(/ENOENT/);
  });
});

describe("VaccelClient over serial://", () => {
  it("sends a ttrpc request down the device and takes the reply frame from it", async () => {
    const client = await VaccelClient.connect(`serial://${fifo}`);
    const reply = encodeTtrpcResponse({
      status: { code: 0, message: "", details: [] },
      payload: encodeMessage(methodTypes("CreateSession").response, { session_id: 42 }),
    });
    // Queued ahead of the request: the client's own request, looped back after it, has no call waiting and is dropped.
    const writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.writeSync(
      writer,
      encodeFrame({ streamId: 1, type: FrameType.response, flags: 0, payload: reply }),
    );
    fs.closeSync(writer);
    expect(await client.createSession()).toBe(42);
    await client.close();
  });
});
