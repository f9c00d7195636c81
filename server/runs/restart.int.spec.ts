// Killing the server mid-run (kill -9) and starting it again leaves no container, cgroup, bundle or process behind.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { runCommand } from "../runtimes/process-exit";
import { mountPoints } from "../images/image-mounts";
import { crashedServerHost } from "../testing/crashed-server";

const host = crashedServerHost("sbpg-restart");
const { containers, sandboxCgroups } = host;

async function post(url: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function waitForState(url: string, id: string, state: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const run = (await (await fetch(`${url}/api/runs/${id}`)).json()) as { state: string };
    if (run.state === state) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${id} never reached ${state}`);
}

const imageMounts = async () =>
  (await mountPoints()).filter((p) => p.startsWith(`${host.stateDir}/`));
const sleepers = async () => (await runCommand("pgrep", ["-x", "-f", "sleep 300"])).stdout.trim();

it("reaps a crashed server's sandboxes on restart", async () => {
  const first = await host.start();
  const command = ["sh", "-c", "echo up; exec sleep 300"];
  const ids = [
    await post(first.url, { runtime: "runc", command, timeoutMs: 60_000 }),
    await post(first.url, { runtime: "gvisor", command, timeoutMs: 60_000 }),
  ];
  for (const id of ids) await waitForState(first.url, id, "running");

  first.child.kill("SIGKILL");
  await new Promise((r) => first.child.once("exit", r));
  // The sandboxes outlive the server: that is what a restart must clean up.
  expect(await containers("runc", "runc")).toHaveLength(1);
  expect(await imageMounts()).toEqual([path.join(host.stateDir, "images", "busybox")]);
  expect((await sandboxCgroups()).length).toBeGreaterThan(0);

  const second = await host.start();
  expect(await containers("runc", "runc")).toEqual([]);
  expect(await containers("runsc", "gvisor")).toEqual([]);
  expect(await readdir(path.join(host.stateDir, "runc", "bundles"))).toEqual([]);
  expect(await readdir(path.join(host.stateDir, "gvisor", "bundles"))).toEqual([]);
  expect(await sandboxCgroups()).toEqual([]);
  // Killed, a sandbox's process may take a moment to go on a loaded host: wait up to 10 s for it.
  for (let i = 0; i < 200 && (await sleepers()) !== ""; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(await sleepers()).toBe("");
  // The crashed server's image mount was released, not stacked under the new server's own.
  expect((await imageMounts()).length).toBeLessThanOrEqual(1);
  second.child.kill("SIGTERM");
  await new Promise((r) => second.child.once("exit", r));
  expect(await imageMounts()).toEqual([]);
}, 90_000);
