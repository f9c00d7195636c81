// A real runc run recorded through the API: the file validates and keeps the pace the output was written at.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRecording } from "../../lib/recordings/recording";
import { startTestHost, waitForEnd, type TestHost } from "../testing/test-host";

describe("GET /api/runs/:id/recording", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ SBPG_VACCEL: "off", SBPG_MICROVM_POOL_SIZE: "0" });
  });
  afterAll(() => host?.close());

  it("records a finished run with its phases, host and timed output", async () => {
    const created = await host.request("POST", "/api/runs", {
      runtime: "runc",
      command: ["sh", "-c", "echo first; sleep 0.5; echo second"],
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    const early = await host.request("GET", `/api/runs/${id}/recording`);
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe("conflict:run_running");

    const run = await waitForEnd(host, id);
    expect(run.state).toBe("exited");
    const res = await fetch(`${host.url}/api/runs/${id}/recording`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="runc-\d{4}-\d\d-\d\d-\d{6}\.sbpg\.json"$/,
    );
    const parsed = checkRecording(await res.json());
    if (!parsed.ok) throw new Error(parsed.message);
    const { recording } = parsed;
    expect(recording.runtime.id).toBe("runc");
    expect(recording.run.exitCode).toBe(0);
    expect(recording.run.timings.exited).toBeGreaterThan(0);
    expect(recording.workload.command).toEqual(["sh", "-c", "echo first; sleep 0.5; echo second"]);
    expect(recording.host.hostname.length).toBeGreaterThan(0);
    expect(recording.output.map((c) => c.data).join("")).toBe("first\nsecond\n");
    const first = recording.output.find((c) => c.data.includes("first"));
    const second = recording.output.find((c) => c.data.includes("second"));
    expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(450);
    // Output times count from the same origin as the phases.
    expect(first!.atMs).toBeGreaterThanOrEqual(recording.run.timings.started ?? 0);
    expect(second!.atMs).toBeLessThanOrEqual(recording.run.timings.exited! + 50);
  });

  it("answers 404 for an unknown run", async () => {
    const res = await host.request("GET", "/api/runs/nope/recording");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found:run");
  });
});
