// Labs in a workshop against a real server and real runc: an attendee's checks reach the facilitator's board over socket.io
// as they happen, only the workshop's own facilitator token watches it, and a reveal reaches every attendee.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LabEntryEventSchema,
  LabFollowAckSchema,
  LabProgressSchema,
  LabRevealedEventSchema,
  LabWatchAckSchema,
  labEvents,
  type LabBoardEntry,
} from "../../lib/api/labs";
import { DashboardSchema } from "../../lib/api/workshops";
import {
  startTestHost,
  type TestHost,
  startSession as startHostSession,
} from "../testing/test-host";

let dataDir: string;
let host: TestHost;
const lab = "/api/labs/a-shell-that-stays";

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "sbpg-workshop-labs-int-"));
  host = await startTestHost({
    SBPG_DATA_DIR: dataDir,
    SBPG_MAX_OPEN_WORKSHOPS_PER_CLIENT: "10",
    SBPG_MAX_OPEN_WORKSHOPS_PER_ADDRESS: "10",
  });
}, 60_000);
afterAll(async () => {
  await host?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function createWorkshop() {
  const created = await host.request("POST", "/api/workshops", {
    name: "Labs 101",
    capacity: 5,
    durationMinutes: 60,
    quotas: {
      maxConcurrentRuns: 4,
      maxRunsPerAttendee: 500,
      allowedRuntimes: ["runc", "gvisor"],
      maxTimeoutMs: 30_000,
      maxConcurrentSessions: 2,
    },
  });
  expect(created.status, created.text).toBe(201);
  return created.json as { id: string; joinCode: string; facilitatorToken: string };
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

const startSession = (runtime: string, headers: Record<string, string>) =>
  startHostSession(host, runtime, headers);

/** An attendee's run is theirs to see (and their facilitator's): polled with their cookie. */
async function exitCodeOf(runId: string, headers: Record<string, string>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await host.request("GET", `/api/runs/${runId}`, undefined, headers);
    if (["exited", "failed", "stopped"].includes(json.state)) return json.exitCode as number | null;
    if (Date.now() > deadline) throw new Error(`run ${runId}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Collects the board's entries a facilitator socket is pushed, and waits for one that matches. */
function boardOf(socket: Socket) {
  const seen: LabBoardEntry[] = [];
  socket.on(labEvents.entry, (payload: unknown) =>
    seen.push(LabEntryEventSchema.parse(payload).entry),
  );
  return {
    async waitFor(match: (entry: LabBoardEntry) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such entry in ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe("labs in a workshop", () => {
  it("pushes an attendee's checks to the facilitator's board, and a reveal to every attendee", async () => {
    const workshop = await createWorkshop();
    const other = await createWorkshop();
    const ada = await join(workshop.joinCode, "Ada");
    const bea = await join(workshop.joinCode, "Bea");

    // Only the workshop's own facilitator token watches its board.
    const stranger = host.socket({ auth: { facilitatorToken: other.facilitatorToken } });
    const refused = LabWatchAckSchema.parse(
      await stranger.timeout(10_000).emitWithAck(labEvents.watch, { workshopId: workshop.id }),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: "forbidden:facilitator" } });
    const facilitatorSocket = host.socket({
      auth: { facilitatorToken: workshop.facilitatorToken },
    });
    const watched = LabWatchAckSchema.parse(
      await facilitatorSocket
        .timeout(10_000)
        .emitWithAck(labEvents.watch, { workshopId: workshop.id }),
    );
    expect(watched).toEqual({ ok: true, entries: [], revealed: [] });
    const board = boardOf(facilitatorSocket);

    const [runc, gvisor] = await Promise.all([
      startSession("runc", ada),
      startSession("gvisor", ada),
    ]);
    const attach = await host.request(
      "PUT",
      `${lab}/sessions`,
      {
        sessions: [
          { runtime: "runc", sessionId: runc },
          { runtime: "gvisor", sessionId: gvisor },
        ],
      },
      ada,
    );
    expect(attach.status, attach.text).toBe(200);
    // Bea cannot use Ada's sessions: the workshop's rules give them to Ada alone.
    const stolen = await host.request(
      "PUT",
      `${lab}/sessions`,
      { sessions: [{ runtime: "runc", sessionId: runc }] },
      bea,
    );
    expect(stolen.status).toBe(404);

    await host.request("POST", `${lab}/steps/0/complete`, undefined, ada);
    const failed = LabProgressSchema.parse(
      (await host.request("POST", `${lab}/steps/1/check`, undefined, ada)).json,
    );
    expect(failed.steps[1]!.state).toBe("failed");
    const stuck = await board.waitFor((e) => e.name === "Ada" && e.state === "failed");
    expect(stuck).toMatchObject({
      demo: "a-shell-that-stays",
      step: 1,
      stepTitle: "Leave a note in your home",
      failedChecks: 1,
    });
    expect(stuck.hint).toMatch(/No ~\/note\.txt yet/);

    // Bea follows reveals; the facilitator reveals the step Ada is stuck on.
    const beaSocket = host.socket({ headers: bea });
    const followed = LabFollowAckSchema.parse(
      await beaSocket.timeout(10_000).emitWithAck(labEvents.follow, {}),
    );
    expect(followed).toEqual({ ok: true, revealed: [] });
    const reveal = new Promise((resolve) =>
      beaSocket.once(labEvents.revealed, (payload: unknown) =>
        resolve(LabRevealedEventSchema.parse(payload).reveal),
      ),
    );
    const revealed = LabFollowAckSchema.parse(
      await facilitatorSocket.timeout(10_000).emitWithAck(labEvents.reveal, {
        workshopId: workshop.id,
        demo: "a-shell-that-stays",
        step: 1,
      }),
    );
    expect(revealed).toEqual({ ok: true, revealed: [{ demo: "a-shell-that-stays", step: 1 }] });
    expect(await reveal).toEqual({ demo: "a-shell-that-stays", step: 1 });

    // The fix in both of Ada's sandboxes: the next check moves her on, and the board follows at once.
    for (const id of [runc, gvisor]) {
      const exec = await host.request(
        "POST",
        `/api/sessions/${id}/exec`,
        { command: ["sh", "-c", "echo hi > ~/note.txt"] },
        ada,
      );
      expect(exec.status, exec.text).toBe(201);
      expect(await exitCodeOf(exec.json.id, ada)).toBe(0);
    }
    const passed = LabProgressSchema.parse(
      (await host.request("POST", `${lab}/steps/1/check`, undefined, ada)).json,
    );
    expect(passed.current).toBe(2);
    // Pushed as the step opened, so it is there (within 2 s at most) once Ada's own reply is.
    const moved = await board.waitFor((e) => e.name === "Ada" && e.step === 2, 2_000);
    expect(moved).toMatchObject({ stepTitle: "Try to change the image", failedChecks: 0 });

    // Ada's two commands count as her runs; the checks and setups (the demo's own scripts) do not.
    const dashboard = await host.request("GET", `/api/workshops/${workshop.id}`, undefined, {
      authorization: `Bearer ${workshop.facilitatorToken}`,
    });
    const adaRow = DashboardSchema.parse(dashboard.json).attendees.find((a) => a.name === "Ada");
    expect(adaRow?.usage.totalRuns).toBe(2);
  }, 120_000);
});
