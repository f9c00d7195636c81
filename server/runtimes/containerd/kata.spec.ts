// The Kata driver's own parts: what /host says about boot lines, and Dragonball's console.sock reader.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ContainerdDaemon } from "./containerd-daemon";
import type { ContainerdImageImporter } from "./containerd-images";
import { createKataDrivers, dragonballConsoleSocket, followConsoleSocket } from "./kata";
import type { KataHost } from "./kata-detection";
import { sessionRuntimeIds } from "../../../lib/api/sessions";

/** A host without Kata: detection stops before it would need containerd. */
const noKata: KataHost = {
  findExecutable: async () => null,
  exists: async () => false,
  readFile: async () => null,
  run: async () => ({ code: 1, stdout: "", stderr: "" }),
  isRoot: () => true,
};

/** The drivers on that host; they never reach containerd. */
const kataDriversWithoutKata = () =>
  createKataDrivers({
    daemon: {} as ContainerdDaemon,
    images: {} as ContainerdImageImporter,
    cgroupParent: "/sandbox-playground/unit",
    host: noKata,
  });

describe("Kata drivers on a host without Kata", () => {
  it("say per runtime what a host must enable for boot lines to appear", async () => {
    const drivers = kataDriversWithoutKata();
    const bootLog = Object.fromEntries(
      await Promise.all(drivers.map(async (d) => [d.id, (await d.probe()).details.bootLog])),
    );
    expect(bootLog["kata-qemu"]).toMatch(/enable_debug = true.*SBPG_CONTAINERD_LOG_LEVEL=debug/);
    expect(bootLog["kata-qemu-runtime-rs"]).toMatch(/journal.*enable_debug = true/);
    expect(bootLog["kata-clh-runtime-rs"]).toMatch(/journal/);
    expect(bootLog["kata-rs"]).toContain("/run/kata/<sandbox>/console.sock");
    for (const driver of drivers) expect((await driver.probe()).available).toBe(false);
  });
});

describe("Kata sessions", () => {
  it("are offered by every variant that runs, through containerd as containerd-runc's, and refused here as unavailable", async () => {
    const drivers = kataDriversWithoutKata();
    for (const driver of drivers) {
      // kata-fc runs nothing yet (its variant says why), so demos may not offer its sessions either.
      expect((sessionRuntimeIds as readonly string[]).includes(driver.id)).toBe(
        driver.id !== "kata-fc",
      );
      for (const method of [
        "startSession",
        "endSession",
        "sessionAlive",
        "terminalCommand",
      ] as const)
        expect(typeof driver[method], `${driver.id}.${method}`).toBe("function");
      expect(driver.cgroupOf?.("sbpg-x")).toEqual({
        parent: "/sandbox-playground/unit",
        name: "sbpg-x",
      });
      const probed = await driver.probe();
      expect(probed.install).toMatch(/Kata Containers/);
      // What /host says of them: how they run, that no real Kata ran them, or that there are none.
      expect(probed.details.sessions).toMatch(
        driver.id === "kata-fc" ? /^none/ : /ctr tasks exec --tty.*untried on a real Kata/,
      );
    }
  });
});

describe("followConsoleSocket", () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

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
