// The Knative Service's spec, its readiness as Knative reports it, and its container's command against the host's
// busybox: the HTTP server a Knative pod runs, serving the hello function, without Knative or a sandbox.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelloReplySchema, helloFunctionScript } from "../../../lib/api/functions";
import {
  buildKnativeService,
  knativeAdapterScript,
  knativeServerCommand,
  knativeServiceNameFor,
  readinessOf,
} from "./knative-service";
import { podOwnerFor } from "./pod-spec";

const owner = podOwnerFor("/run/sbpg-kn", "host-a");
const input = {
  fn: "hello" as const,
  runtimeClassName: "kata-qemu",
  namespace: "sbpg",
  imageReference: "registry.example/sbpg/busybox:1",
  limits: { memoryBytes: 64 * 1024 * 1024, cpuShares: 1024 },
  owner,
};

describe("buildKnativeService", () => {
  it("names it from the owner, function and class alone, short enough for Knative's revision names", () => {
    const name = knativeServiceNameFor(owner, "hello", "kata-qemu");
    expect(name).toMatch(/^sbpg-fn-hello-[0-9a-f]{10}$/);
    expect(`${name}-00001`.length).toBeLessThanOrEqual(63);
    expect(knativeServiceNameFor(owner, "hello", "gvisor")).not.toBe(name);
    expect(knativeServiceNameFor(owner, "hello", null)).not.toBe(name);
    expect(
      knativeServiceNameFor(podOwnerFor("/run/other", "host-a"), "hello", "kata-qemu"),
    ).not.toBe(name);
  });

  it("refuses a class name that is not a RuntimeClass name", () => {
    expect(() => buildKnativeService({ ...input, runtimeClassName: "../x" })).toThrow();
  });

  it("scales to zero soon after the last request, and at most to a few pods", () => {
    const { annotations } = buildKnativeService(input).spec.template.metadata;
    expect(annotations).toMatchObject({
      "autoscaling.knative.dev/min-scale": "0",
      "autoscaling.knative.dev/max-scale": "10",
      "autoscaling.knative.dev/window": "6s",
    });
  });
});

describe("readinessOf", () => {
  const service = (generation: number, status: object) => ({
    metadata: { name: "s", generation },
    status,
  });
  it("is ready only once Knative has seen this generation", () => {
    const ready = [{ type: "Ready", status: "True" as const }];
    expect(
      readinessOf(
        service(2, { observedGeneration: 1, conditions: ready, latestReadyRevisionName: "s-1" }),
      ),
    ).toEqual({ state: "deploying", message: null });
    expect(
      readinessOf(
        service(2, {
          observedGeneration: 2,
          conditions: ready,
          latestReadyRevisionName: "s-2",
          url: "http://s.ns.svc.cluster.local",
        }),
      ),
    ).toEqual({ state: "ready", url: "http://s.ns.svc.cluster.local", revision: "s-2" });
  });
  it("fails with Knative's reason", () => {
    const failed = [
      { type: "Ready", status: "False" as const, reason: "RevisionFailed", message: "no image" },
    ];
    expect(readinessOf(service(1, { observedGeneration: 1, conditions: failed }))).toEqual({
      state: "failed",
      message: "RevisionFailed: no image",
    });
  });
});

const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((p) => existsSync(p));

describe.skipIf(!busybox)("the Knative Service's container command on the host's busybox", () => {
  let dir: string;
  let server: ChildProcess;
  let base: string;

  beforeAll(async () => {
    // Only busybox's applets on PATH, as in the image.
    dir = await mkdtemp(path.join(os.tmpdir(), "sbpg-kn-bin-"));
    const applets = execFileSync(busybox!, ["--list"]).toString().trim().split("\n");
    await Promise.all(applets.map((applet) => symlink(busybox!, path.join(dir, applet))));
    const port = await freePort();
    const [command, ...args] = knativeServerCommand;
    server = spawn(path.join(dir, path.basename(command!)), args, {
      env: {
        PATH: dir,
        PORT: String(port),
        FN_ADAPTER: knativeAdapterScript,
        FN_SCRIPT: helloFunctionScript,
        NODE_ENV: "test",
      },
      stdio: "ignore",
    });
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(base).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  afterAll(async () => {
    server?.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("answers the hello function over HTTP, request line, query and body intact", async () => {
    const response = await fetch(`${base}/fn/hello?runtime=k8s:kata-qemu&via=knative`, {
      method: "POST",
      body: "line one\nline two",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("connection")).toBe("close");
    expect(HelloReplySchema.parse(await response.json())).toMatchObject({
      hello: "from a sandbox",
      method: "POST",
      path: "/fn/hello?runtime=k8s:kata-qemu&via=knative",
      bodyBytes: 17,
    });
  });

  it("serves several connections at once (nc -ll runs the adapter per connection)", async () => {
    const replies = await Promise.all(
      Array.from({ length: 4 }, (_, i) => fetch(`${base}/fn/hello?n=${i}`).then((r) => r.json())),
    );
    expect(replies.map((r) => HelloReplySchema.parse(r).path)).toEqual(
      [0, 1, 2, 3].map((i) => `/fn/hello?n=${i}`),
    );
  });

  it("refuses a body larger than the gateway's limit without reading it", async () => {
    const reply = await rawRequest(
      base,
      "POST /fn/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n",
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
  });
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function rawRequest(base: string, text: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("end", () => resolve(received));
    socket.on("error", reject);
  });
}
