// The presenter's terminal mirrored to the audience on a real server and real runc: they see it typed, they cannot type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PresentationAckSchema,
  PresentationStateEventSchema,
  presenterEvents,
  type PresentationState,
} from "../../lib/api/presenter";
import { SessionSnapshotSchema, terminalEvents } from "../../lib/api/sessions";
import { emitWithAck, screenOf } from "../testing/terminal-screen";
import { startTestHost, type TestHost } from "../testing/test-host";

let host: TestHost;
const presenter = { cookie: "sbpg_visitor=ada-aaaaaaaaaaaaaaaaaaaaaaaa" };
const stranger = { cookie: "sbpg_visitor=eve-eeeeeeeeeeeeeeeeeeeeeeee" };

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host?.close());

async function startShell(headers: Record<string, string>) {
  const created = await host.request("POST", "/api/sessions", { runtime: "runc" }, headers);
  expect(created.status, created.text).toBe(201);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await host.request(
      "GET",
      `/api/sessions/${created.json.id}`,
      undefined,
      headers,
    );
    if (SessionSnapshotSchema.parse(json).state === "ready") break;
    if (Date.now() > deadline) throw new Error(`session not ready: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const socket = host.socket({ headers });
  const opened = await emitWithAck(socket, terminalEvents.open, {
    sessionId: created.json.id,
    cols: 80,
    rows: 24,
  });
  if (!opened.ok) throw new Error(JSON.stringify(opened));
  return { socket, sessionId: created.json.id as string, terminalId: opened.terminalId };
}

const announce = async (socket: ReturnType<TestHost["socket"]>, payload: unknown) =>
  PresentationAckSchema.parse(
    await socket.timeout(5000).emitWithAck(presenterEvents.terminals, payload),
  );

describe("the presenter's terminal", () => {
  it("is mirrored read-only to the audience once announced, typing included", async () => {
    const created = await host.request("POST", "/api/presentations", {
      track: "containers-and-their-kernel",
      presenter: "Ada",
    });
    expect(created.status).toBe(201);
    const { id, presenterToken } = created.json as { id: string; presenterToken: string };
    const shell = await startShell(presenter);
    const theirs = await startShell(stranger);

    // The audience: no cookie of the presenter's, only the presentation's id.
    const audience = host.socket();
    const audienceScreen = screenOf(audience, () => shell.terminalId);
    const joined = PresentationAckSchema.parse(
      await audience.timeout(5000).emitWithAck(presenterEvents.join, { id, audience: true }),
    );
    expect(joined.ok && joined.state.terminals).toEqual([]);
    const before = await emitWithAck(audience, terminalEvents.attach, {
      terminalId: shell.terminalId,
    });
    expect(before.ok ? "attached" : before.error.code).toBe("not_found:terminal");

    // Only the token's holder announces, and only terminals of their own sessions.
    const forged = await announce(shell.socket, {
      id,
      token: "wrong",
      terminalIds: [shell.terminalId],
    });
    expect(forged.ok ? "accepted" : forged.error.code).toBe("forbidden:presenter");
    const foreign = await announce(shell.socket, {
      id,
      token: presenterToken,
      terminalIds: [theirs.terminalId],
    });
    expect(foreign.ok ? "accepted" : foreign.error.code).toBe("not_found:terminal");

    const seen = new Promise<PresentationState>((resolve) =>
      audience.once(presenterEvents.state, (raw: unknown) =>
        resolve(PresentationStateEventSchema.parse(raw).state),
      ),
    );
    const announced = await announce(shell.socket, {
      id,
      token: presenterToken,
      terminalIds: [shell.terminalId],
    });
    expect(announced.ok).toBe(true);
    expect((await seen).terminals).toEqual([shell.terminalId]);

    expect(
      (await emitWithAck(audience, terminalEvents.attach, { terminalId: shell.terminalId })).ok,
    ).toBe(true);
    await emitWithAck(shell.socket, terminalEvents.input, {
      terminalId: shell.terminalId,
      data: "echo presented-$((6*7))\r",
    });
    await audienceScreen.waitFor(/\r\npresented-42\r\n/);
    for (const [event, payload] of [
      [terminalEvents.input, { terminalId: shell.terminalId, data: "echo audience-typed\r" }],
      [terminalEvents.resize, { terminalId: shell.terminalId, cols: 40, rows: 10 }],
      [terminalEvents.close, { terminalId: shell.terminalId }],
    ] as const) {
      const ack = await emitWithAck(audience, event, payload);
      expect(ack.ok ? "accepted" : ack.error.code, event).toBe("forbidden:terminal_read_only");
    }
    // Mirroring reads the terminal only: the session stays the presenter's alone.
    for (const route of [
      `/api/sessions/${shell.sessionId}`,
      `/api/sessions/${shell.sessionId}/host`,
    ]) {
      expect((await host.request("GET", route)).status, route).toBe(404);
    }
    await emitWithAck(shell.socket, terminalEvents.input, {
      terminalId: shell.terminalId,
      data: "echo after-$((2*3))\r",
    });
    await audienceScreen.waitFor(/\r\nafter-6\r\n/);
    expect(audienceScreen.text).not.toContain("audience-typed");

    // Taken back: the audience stops seeing it at once, and a new follower cannot attach any more.
    const presenterScreen = screenOf(shell.socket, () => shell.terminalId);
    expect((await announce(shell.socket, { id, token: presenterToken, terminalIds: [] })).ok).toBe(
      true,
    );
    await emitWithAck(shell.socket, terminalEvents.input, {
      terminalId: shell.terminalId,
      data: "echo gone-$((1+1))\r",
    });
    await presenterScreen.waitFor(/\r\ngone-2\r\n/);
    // The same emit would have reached the audience's socket by now, a moment behind the presenter's.
    await new Promise((r) => setTimeout(r, 500));
    expect(audienceScreen.text).not.toContain("gone-2");
    const late = await emitWithAck(host.socket(), terminalEvents.attach, {
      terminalId: shell.terminalId,
    });
    expect(late.ok ? "attached" : late.error.code).toBe("not_found:terminal");
    for (const [headers, sessionId] of [
      [presenter, shell.sessionId],
      [stranger, theirs.sessionId],
    ] as const)
      await host.request("DELETE", `/api/sessions/${sessionId}`, undefined, headers);
  });
});
