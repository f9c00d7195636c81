// The gateway against real sandboxes: one HTTP request, one fresh sandbox, its response relayed.
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HelloReplySchema,
  SandboxTimingsHeaderSchema,
  sandboxHeaders,
} from "../../lib/api/functions";
import { startTestHost, type TestHost } from "../testing/test-host";

let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host?.close());

describe("/fn/hello", () => {
  it("answers from a fresh runc container, with the host's kernel and the run behind it", async () => {
    const res = await fetch(`${host.url}/fn/hello?runtime=runc`, {
      method: "POST",
      body: "ping",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const reply = HelloReplySchema.parse(await res.json());
    expect(reply).toMatchObject({
      hello: "from a sandbox",
      kernel: os.release(),
      method: "POST",
      path: "/fn/hello?runtime=runc",
      bodyBytes: 4,
    });
    expect(res.headers.get(sandboxHeaders.runtime)).toBe("runc");
    const timings = SandboxTimingsHeaderSchema.parse(
      JSON.parse(res.headers.get(sandboxHeaders.timings) ?? "null"),
    );
    expect(timings.exited).toBeGreaterThan(0);
    const runId = res.headers.get(sandboxHeaders.runId);
    const run = await host.request("GET", `/api/runs/${runId}`);
    expect(run.json).toMatchObject({ state: "exited", exitCode: 0, runtime: "runc" });
  });

  it("answers from a microVM, its response found after the guest's boot log", async (test) => {
    const { json } = await host.request("GET", "/api/runtimes");
    if (!json.runtimes.some((r: any) => r.id === "microvm" && r.available)) test.skip();
    const res = await fetch(`${host.url}/fn/hello?runtime=microvm`);
    expect(res.status).toBe(200);
    const reply = HelloReplySchema.parse(await res.json());
    expect(reply).toMatchObject({ method: "GET", bodyBytes: 0 });
    expect(reply.kernel).not.toBe(os.release());
    const logs = await host.request(
      "GET",
      `/api/runs/${res.headers.get(sandboxHeaders.runId)}/logs`,
    );
    expect(logs.text.indexOf("HTTP/1.1 200")).toBeGreaterThan(0);
  });

  it("answers 404 for an unknown runtime and 400 for a malformed query", async () => {
    const unknown = await host.request("GET", "/fn/hello?runtime=nosuch");
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: "not_found:runtime" } } });
    const malformed = await host.request("GET", "/fn/hello?runtime=runc&pool=maybe");
    expect(malformed).toMatchObject({
      status: 400,
      json: { error: { code: "bad_request:function" } },
    });
  });

  it("refuses a body over 16 KiB with 413, and other paths with 404", async () => {
    const big = await host.request("POST", "/fn/hello?runtime=runc", "x".repeat(17 * 1024));
    expect(big).toMatchObject({ status: 413, json: { error: { code: "too_large:body" } } });
    const other = await host.request("GET", "/fn/other?runtime=runc");
    expect(other).toMatchObject({ status: 404, json: { error: { code: "not_found:function" } } });
  });
});
