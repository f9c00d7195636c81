// The ttrpc server and client against each other and against hand-written bytes on a real socket.
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RpcAddress } from "../rpc-address";
import { FrameDecoder, FrameType, encodeFrame } from "./frame";
import { StatusCode } from "./status-code";
import { TtrpcClient } from "./ttrpc-client";
import { TtrpcError } from "./ttrpc-error";
import { decodeTtrpcResponse, encodeTtrpcRequest } from "./ttrpc-messages";
import { TtrpcServer } from "./ttrpc-server";

const loopback: RpcAddress = { scheme: "tcp", host: "127.0.0.1", port: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends raw bytes and collects whatever response frames come back. */
async function rawExchange(address: RpcAddress, bytes: Buffer, expectFrames: number) {
  if (address.scheme !== "tcp") throw new Error("tcp only");
  const socket = net.createConnection({ host: address.host, port: address.port });
  const decoder = new FrameDecoder();
  const frames: ReturnType<FrameDecoder["push"]> = [];
  await new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk) => {
      frames.push(...decoder.push(chunk));
      if (frames.length >= expectFrames) resolve();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve());
    socket.write(bytes);
  });
  socket.destroy();
  return frames.map((frame) => ({
    ...frame,
    response: "payload" in frame ? decodeTtrpcResponse(frame.payload) : null,
  }));
}

describe("TtrpcServer + TtrpcClient", () => {
  let server: TtrpcServer;
  let address: RpcAddress;

  beforeEach(async () => {
    server = new TtrpcServer({ maxFrameBytes: 1024 });
    server.register("test.Echo", "Echo", (payload) => payload);
    server.register("test.Echo", "Slow", async (payload) => {
      await sleep(payload[0]);
      return payload;
    });
    server.register("test.Echo", "Fail", () => {
      throw new TtrpcError(StatusCode.NOT_FOUND, "no such thing");
    });
    server.register("test.Echo", "Crash", () => {
      throw new Error("secret internals");
    });
    address = await server.listen(loopback);
  });

  afterEach(async () => {
    await server.close();
  });

  it("round-trips a call and matches concurrent replies by stream id", async () => {
    const client = await TtrpcClient.connect(address);
    const replies = await Promise.all([
      client.call("test.Echo", "Slow", Uint8Array.of(40)),
      client.call("test.Echo", "Slow", Uint8Array.of(5)),
      client.call("test.Echo", "Echo", Uint8Array.of(1, 2, 3)),
    ]);
    expect(replies.map((r) => [...r])).toEqual([[40], [5], [1, 2, 3]]);
    await client.close();
  });

  it("returns handler errors as their status; other throws become INTERNAL without details", async () => {
    const client = await TtrpcClient.connect(address);
    await expect(client.call("test.Echo", "Fail", new Uint8Array())).rejects.toMatchObject({
      code: StatusCode.NOT_FOUND,
      statusMessage: "no such thing",
    });
    const crash = await client.call("test.Echo", "Crash", new Uint8Array()).catch((err) => err);
    expect(crash.code).toBe(StatusCode.INTERNAL);
    expect(crash.message).not.toContain("secret");
    await client.close();
  });

  it('answers an unknown service or method with INVALID_ARGUMENT (3) "… does not exist", as ttrpc-rust\'s sync server', async () => {
    const client = await TtrpcClient.connect(address);
    await expect(client.call("test.Echo", "Nope", new Uint8Array())).rejects.toMatchObject({
      code: 3,
      statusMessage: "/test.Echo/Nope does not exist",
    });
    await expect(client.call("other.Service", "Echo", new Uint8Array())).rejects.toMatchObject({
      code: 3,
    });
    await client.close();
  });

  it("times out and aborts calls; the connection stays usable", async () => {
    const client = await TtrpcClient.connect(address);
    await expect(
      client.call("test.Echo", "Slow", Uint8Array.of(200), { timeoutMs: 20 }),
    ).rejects.toMatchObject({
      code: StatusCode.DEADLINE_EXCEEDED,
    });
    const controller = new AbortController();
    const aborted = client.call("test.Echo", "Slow", Uint8Array.of(200), {
      signal: controller.signal,
    });
    controller.abort(new Error("visitor left"));
    await expect(aborted).rejects.toThrow("visitor left");
    expect(client.pendingCalls).toBe(0);
    expect([...(await client.call("test.Echo", "Echo", Uint8Array.of(7)))]).toEqual([7]);
    await client.close();
  });

  it("uses odd stream ids counting up by 2", async () => {
    const seen: number[] = [];
    const spy = net.createServer((socket) => {
      const decoder = new FrameDecoder();
      socket.on("data", (chunk) => {
        for (const frame of decoder.push(chunk)) seen.push(frame.streamId);
      });
    });
    await new Promise<void>((resolve) => spy.listen(0, "127.0.0.1", resolve));
    const port = (spy.address() as net.AddressInfo).port;
    const client = await TtrpcClient.connect({ scheme: "tcp", host: "127.0.0.1", port });
    for (let i = 0; i < 3; i++)
      void client.call("s", "m", new Uint8Array(), { timeoutMs: 50 }).catch(() => {});
    await sleep(30);
    expect(seen).toEqual([1, 3, 5]);
    await client.close();
    await new Promise((resolve) => spy.close(resolve));
  });

  it("rejects pending calls when the server goes away", async () => {
    const client = await TtrpcClient.connect(address);
    const pending = client.call("test.Echo", "Slow", Uint8Array.of(250));
    await sleep(10);
    await server.close();
    await expect(pending).rejects.toMatchObject({ code: StatusCode.UNAVAILABLE });
  });

  it("answers a request whose payload is not a ttrpc.Request with INVALID_ARGUMENT (3), then keeps serving", async () => {
    const garbage = encodeFrame({
      streamId: 1,
      type: FrameType.request,
      flags: 0,
      payload: Buffer.from([0xff, 0xff, 0xff]),
    });
    const good = encodeFrame({
      streamId: 3,
      type: FrameType.request,
      flags: 0,
      payload: encodeTtrpcRequest({
        service: "test.Echo",
        method: "Echo",
        payload: Uint8Array.of(5),
      }),
    });
    const frames = await rawExchange(address, Buffer.concat([garbage, good]), 2);
    expect(frames.map((f) => [f.streamId, f.type, f.response?.status?.code])).toEqual([
      [1, FrameType.response, StatusCode.INVALID_ARGUMENT],
      [3, FrameType.response, StatusCode.OK],
    ]);
    expect([...(frames[1].response?.payload ?? [])]).toEqual([5]);
  });

  it("rejects an even (server-side) stream id", async () => {
    const frame = encodeFrame({
      streamId: 2,
      type: FrameType.request,
      flags: 0,
      payload: encodeTtrpcRequest({ service: "test.Echo", method: "Echo" }),
    });
    const [reply] = await rawExchange(address, frame, 1);
    expect(reply.response?.status?.code).toBe(StatusCode.INVALID_ARGUMENT);
  });

  it("skips an oversized request unread with INVALID_ARGUMENT (3, ttrpc-rust's check_oversize), and serves the next one", async () => {
    const big = encodeFrame({
      streamId: 1,
      type: FrameType.request,
      flags: 0,
      payload: Buffer.alloc(4096, 0x41),
    });
    const good = encodeFrame({
      streamId: 3,
      type: FrameType.request,
      flags: 0,
      payload: encodeTtrpcRequest({
        service: "test.Echo",
        method: "Echo",
        payload: Uint8Array.of(1),
      }),
    });
    const frames = await rawExchange(address, Buffer.concat([big, good]), 2);
    expect(frames.map((f) => [f.streamId, f.response?.status?.code])).toEqual([
      [1, StatusCode.INVALID_ARGUMENT],
      [3, StatusCode.OK],
    ]);
  });

  it("survives random bytes and stays up for the next client", async () => {
    const noise = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    if (address.scheme !== "tcp") throw new Error("tcp only");
    const socket = net.createConnection({ host: address.host, port: address.port });
    socket.on("error", () => {});
    socket.write(noise);
    // The noise declares a huge frame, so the server waits to discard it; the peer then hangs up.
    await sleep(50);
    socket.destroy();
    await sleep(10);
    const client = await TtrpcClient.connect(address);
    expect([...(await client.call("test.Echo", "Echo", Uint8Array.of(9)))]).toEqual([9]);
    await client.close();
  });
});
