// Watching a run takes its id; stopping one started from a browser takes that browser (an audience can watch, not stop).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, waitForEnd, type TestHost } from "../testing/test-host";
import { visitorCookie } from "../http/visitor";

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host?.close());

const presenter = { cookie: `${visitorCookie}=presenter-browser-0123456789ab` };
const audience = { cookie: `${visitorCookie}=audience-browser-0123456789abc` };
const sleeper = { runtime: "runc", command: ["sh", "-c", "echo up; sleep 30"], timeoutMs: 20_000 };

describe("stopping a run", () => {
  it("is refused to another browser, which can still watch it, and allowed to the one that started it", async () => {
    const created = await host.request("POST", "/api/runs", sleeper, presenter);
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    const refused = await host.request("DELETE", `/api/runs/${id}`, undefined, audience);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("forbidden:run");
    const anonymous = await host.request("DELETE", `/api/runs/${id}`);
    expect(anonymous.status).toBe(403);

    const watched = await host.request("GET", `/api/runs/${id}`, undefined, audience);
    expect(watched.status).toBe(200);
    expect(["queued", "preparing", "booting", "running"]).toContain(watched.json.state);

    const stopped = await host.request("DELETE", `/api/runs/${id}`, undefined, presenter);
    expect(stopped.status).toBe(200);
    expect(stopped.json.state).toBe("stopped");
  });

  it("keeps the id as the capability for a run started without a visitor id (API clients)", async () => {
    const created = await host.request("POST", "/api/runs", sleeper);
    const id = created.json.id as string;
    const stopped = await host.request("DELETE", `/api/runs/${id}`, undefined, audience);
    expect(stopped.status).toBe(200);
    expect((await waitForEnd(host, id)).state).toBe("stopped");
  });

  it("ignores a malformed visitor cookie rather than trusting it", async () => {
    const created = await host.request("POST", "/api/runs", sleeper, {
      cookie: `${visitorCookie}=x`,
    });
    const id = created.json.id as string;
    const stopped = await host.request("DELETE", `/api/runs/${id}`, undefined, audience);
    expect(stopped.status).toBe(200);
  });
});
