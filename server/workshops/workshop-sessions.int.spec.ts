// Workshop attendees' sessions against a real server and real runc: the workshop's quotas, the facilitator's dashboard, read-only watching, ending.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionSnapshotSchema, terminalEvents } from "../../lib/api/sessions";
import { DashboardSchema } from "../../lib/api/workshops";
import { emitWithAck, screenOf } from "../testing/terminal-screen";
import { startTestHost, type TestHost } from "../testing/test-host";

let dataDir: string;
let host: TestHost;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "sbpg-workshop-sessions-int-"));
  host = await startTestHost({
    SBPG_DATA_DIR: dataDir,
    SBPG_MAX_OPEN_WORKSHOPS_PER_CLIENT: "10",
    SBPG_MAX_OPEN_WORKSHOPS_PER_ADDRESS: "10",
  });
});
afterAll(async () => {
  await host?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Workshop {
  id: string;
  joinCode: string;
  facilitatorToken: string;
}

async function createWorkshop(quotas: Record<string, unknown> = {}): Promise<Workshop> {
  const created = await host.request("POST", "/api/workshops", {
    name: "Shells 101",
    capacity: 5,
    durationMinutes: 60,
    quotas: {
      maxConcurrentRuns: 2,
      maxRunsPerAttendee: 10,
      allowedRuntimes: ["runc"],
      maxTimeoutMs: 30_000,
      ...quotas,
    },
  });
  expect(created.status, created.text).toBe(201);
  return created.json;
}

async function join(code: string, name: string): Promise<{ cookie: string }> {
  const joined = await host.request("POST", "/api/workshops/join", { code, name });
  expect(joined.status, joined.text).toBe(200);
  return {
    cookie: joined.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  };
}

const asFacilitator = (w: Workshop) => ({ authorization: `Bearer ${w.facilitatorToken}` });

async function waitReady(id: string, headers: Record<string, string>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await host.request("GET", `/api/sessions/${id}`, undefined, headers);
    const session = SessionSnapshotSchema.parse(json);
    if (session.state === "ready") return session;
    if (["ended", "failed"].includes(session.state) || Date.now() > deadline)
      throw new Error(`session ${id} is ${session.state}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function dashboard(w: Workshop) {
  const reply = await host.request("GET", `/api/workshops/${w.id}`, undefined, asFacilitator(w));
  expect(reply.status, reply.text).toBe(200);
  return DashboardSchema.parse(reply.json);
}

describe("an attendee's sessions", () => {
  it("count against the workshop's quotas: runtimes, sessions at once, lifetime bound", async () => {
    const workshop = await createWorkshop({
      maxConcurrentSessions: 1,
      maxSessionLifetimeMs: 120_000,
    });
    const ann = await join(workshop.joinCode, "Ann");
    const refused = async (body: Record<string, unknown>, message: RegExp) => {
      const reply = await host.request("POST", "/api/sessions", body, ann);
      expect(reply.status, reply.text).toBe(429);
      expect(reply.json.error.code).toBe("quota:workshop");
      expect(reply.json.error.message).toMatch(message);
    };
    await refused({ runtime: "gvisor" }, /allows runc/);
    await refused({ runtime: "runc", lifetimeMs: 180_000 }, /at most 120 s/);

    const created = await host.request("POST", "/api/sessions", { runtime: "runc" }, ann);
    expect(created.status, created.text).toBe(201);
    const session = await waitReady(created.json.id, ann);
    const started = Date.parse(session.createdAt);
    expect(Date.parse(session.expiresAt!) - started).toBe(120_000);
    expect(Date.parse(session.maxExpiresAt) - started).toBe(120_000);
    // Extending cannot pass the workshop's bound.
    const extended = await host.request(
      "POST",
      `/api/sessions/${session.id}/extend`,
      { ms: 3_600_000 },
      ann,
    );
    expect(extended.status, extended.text).toBe(200);
    expect(extended.json.expiresAt).toBe(session.maxExpiresAt);
    await refused({ runtime: "runc" }, /at most 1 session at a time per attendee; you have 1/);

    // The facilitator ends it from the dashboard: the attendee's place is free again.
    const ended = await host.request(
      "DELETE",
      `/api/workshops/${workshop.id}/sessions/${session.id}`,
      undefined,
      asFacilitator(workshop),
    );
    expect(ended.status, ended.text).toBe(200);
    const after = await host.request("GET", `/api/sessions/${session.id}`, undefined, ann);
    expect(after.json).toMatchObject({ state: "ended", error: { code: "ended:deleted" } });
    expect((await dashboard(workshop)).attendees[0].activeSessions).toEqual([]);
    const next = await host.request("POST", "/api/sessions", { runtime: "runc" }, ann);
    expect(next.status, next.text).toBe(201);
    await waitReady(next.json.id, ann);
    // Ending the workshop ends its attendees' sessions too.
    const end = await host.request(
      "POST",
      `/api/workshops/${workshop.id}/end`,
      undefined,
      asFacilitator(workshop),
    );
    expect(end.json).toEqual({ stoppedRuns: 0, endedSessions: 1 });
    const last = await host.request("GET", `/api/sessions/${next.json.id}`, undefined, ann);
    expect(last.json.state).toBe("ended");
  });

  it("are refused when the workshop gives none", async () => {
    const workshop = await createWorkshop({ maxConcurrentSessions: 0 });
    const ann = await join(workshop.joinCode, "Ann");
    const reply = await host.request("POST", "/api/sessions", { runtime: "runc" }, ann);
    expect(reply.status, reply.text).toBe(429);
    expect(reply.json.error.message).toMatch(/no interactive sessions/);
  });

  it("show on the dashboard; the facilitator watches a terminal read-only, typing refused, and ends it", async () => {
    const workshop = await createWorkshop();
    const other = await createWorkshop();
    const ann = await join(workshop.joinCode, "Ann");
    const bob = await join(workshop.joinCode, "Bob");
    const created = await host.request("POST", "/api/sessions", { runtime: "runc" }, ann);
    expect(created.status, created.text).toBe(201);
    const sessionId = created.json.id as string;
    await waitReady(sessionId, ann);

    const annSocket = host.socket({ headers: ann });
    let terminalId: string | null = null;
    const annScreen = screenOf(annSocket, () => terminalId);
    const opened = await emitWithAck(annSocket, terminalEvents.open, {
      sessionId,
      cols: 80,
      rows: 24,
    });
    terminalId = opened.ok ? opened.terminalId : null;
    expect(terminalId, JSON.stringify(opened)).not.toBeNull();
    await emitWithAck(annSocket, terminalEvents.attach, { terminalId });
    await emitWithAck(annSocket, terminalEvents.input, {
      terminalId,
      data: "echo ann-$((6*7))\r",
    });
    await annScreen.waitFor(/\r\nann-42\r\n/);

    const board = await dashboard(workshop);
    const row = board.attendees.find((a) => a.name === "Ann")!;
    expect(row.activeSessions).toHaveLength(1);
    const listed = row.activeSessions[0];
    expect(listed).toMatchObject({ id: sessionId, runtime: "runc", state: "ready" });
    expect(listed.terminals).toEqual([terminalId]);
    expect(listed.remainingMs).toBeGreaterThan(60_000);
    expect(board.attendees.find((a) => a.name === "Bob")!.activeSessions).toEqual([]);

    // The facilitator's page passes its token in the handshake's auth, as a browser must.
    const facilitatorSocket = host.socket({
      auth: { facilitatorToken: workshop.facilitatorToken },
    });
    const facilitatorScreen = screenOf(facilitatorSocket, () => terminalId);
    expect((await emitWithAck(facilitatorSocket, terminalEvents.attach, { terminalId })).ok).toBe(
      true,
    );
    await facilitatorScreen.waitFor(/ann-42/);
    for (const [event, payload] of [
      [terminalEvents.input, { terminalId, data: "echo facilitator-typed\r" }],
      [terminalEvents.resize, { terminalId, cols: 40, rows: 10 }],
      [terminalEvents.close, { terminalId }],
      [terminalEvents.open, { sessionId, cols: 80, rows: 24 }],
    ] as const) {
      const ack = await emitWithAck(facilitatorSocket, event, payload);
      expect(ack.ok ? "accepted" : ack.error.code, event).toBe("forbidden:terminal_read_only");
    }
    for (const [route, body] of [
      [`/api/sessions/${sessionId}/exec`, { command: ["true"] }],
      [`/api/sessions/${sessionId}/extend`, { ms: 60_000 }],
    ] as const) {
      const reply = await host.request("POST", route, body, asFacilitator(workshop));
      expect(reply.status, route).toBe(403);
      expect(reply.json.error.code).toBe("forbidden:session_read_only");
    }
    const seen = await host.request(
      "GET",
      `/api/sessions/${sessionId}`,
      undefined,
      asFacilitator(workshop),
    );
    expect(seen.status).toBe(200);
    const hostView = await host.request(
      "GET",
      `/api/sessions/${sessionId}/host`,
      undefined,
      asFacilitator(workshop),
    );
    expect(hostView.status).toBe(200);

    // The attendee types on; the facilitator sees it live, and nothing the facilitator typed reached the shell.
    await emitWithAck(annSocket, terminalEvents.input, {
      terminalId,
      data: "stty size; echo next-$((2*3))\r",
    });
    await facilitatorScreen.waitFor(/24 80\r\nnext-6\r\n/);
    expect(annScreen.text).not.toContain("facilitator-typed");

    // Another attendee, and another workshop's facilitator, get "not found".
    for (const stranger of [
      host.socket({ headers: bob }),
      host.socket({ auth: { facilitatorToken: other.facilitatorToken } }),
    ]) {
      const ack = await emitWithAck(stranger, terminalEvents.attach, { terminalId });
      expect(ack.ok ? "attached" : ack.error.code).toBe("not_found:terminal");
    }
    const elsewhere = await host.request(
      "DELETE",
      `/api/workshops/${other.id}/sessions/${sessionId}`,
      undefined,
      asFacilitator(other),
    );
    expect(elsewhere.status).toBe(404);

    const ended = await host.request(
      "DELETE",
      `/api/sessions/${sessionId}`,
      undefined,
      asFacilitator(workshop),
    );
    expect(ended.status, ended.text).toBe(200);
    expect(ended.json).toMatchObject({ state: "ended" });
    expect((await dashboard(workshop)).attendees.every((a) => a.activeSessions.length === 0)).toBe(
      true,
    );
  });
});
