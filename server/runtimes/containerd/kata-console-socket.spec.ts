// Dragonball's console.sock as the playground reads it: it may appear late, and it sends only to a connected reader.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dragonballConsoleSocket, followConsoleSocket } from "./kata";

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe("followConsoleSocket", () => {
  it("waits for the socket, then delivers its lines whole, CRLF or LF, skipping blank ones", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sbpg-console-"));
    const socketPath = path.join(dir, "console.sock");
    const lines: string[] = [];
    const stop = followConsoleSocket(socketPath, (line) => lines.push(line));
    await new Promise((r) => setTimeout(r, 100));
    const server = net.createServer((conn) => {
      conn.write("[    0.000000] Linux version 6.12.47\r\n[    0.0001");
      setTimeout(() => conn.write("23] Command line: console=ttyS1\n\r\n"), 20);
    });
    await new Promise<void>((r) => server.listen(socketPath, r));
    await expect.poll(() => lines.length).toBe(2);
    await stop();
    server.close();
    expect(lines).toEqual([
      "[    0.000000] Linux version 6.12.47",
      "[    0.000123] Command line: console=ttyS1",
    ]);
  });

  it("stops cleanly when the socket never appears", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sbpg-console-"));
    const stop = followConsoleSocket(path.join(dir, "missing.sock"), () => undefined);
    await new Promise((r) => setTimeout(r, 50));
    await stop();
  });

  it("knows where runtime-rs 4.1.0 puts Dragonball's socket", () => {
    expect(dragonballConsoleSocket("sbpg-3")).toBe("/run/kata/sbpg-3/console.sock");
  });
});
