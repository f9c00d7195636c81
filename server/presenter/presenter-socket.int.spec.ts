// Presenter rooms on a real server: the audience follows the presenter; a forged action changes nothing.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import {
  AudienceEventSchema,
  PresentationAckSchema,
  PresentationStateEventSchema,
  presenterEvents,
  type PresentationState,
} from "../../lib/api/presenter";
import { startTestHost, waitForEnd, type TestHost } from "../testing/test-host";

let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.close();
});

async function connected(): Promise<Socket> {
  const socket = host.socket();
  if (!socket.connected) await new Promise<void>((resolve) => socket.once("connect", resolve));
  return socket;
}

async function send(socket: Socket, event: string, payload: unknown) {
  return PresentationAckSchema.parse(await socket.timeout(5000).emitWithAck(event, payload));
}

function nextState(socket: Socket): Promise<PresentationState> {
  return new Promise((resolve) =>
    socket.once(presenterEvents.state, (raw: unknown) =>
      resolve(PresentationStateEventSchema.parse(raw).state),
    ),
  );
}

async function present(track = "containers-and-their-kernel") {
  const created = await host.request("POST", "/api/presentations", { track, presenter: "Ada" });
  expect(created.status).toBe(201);
  return created.json as { id: string; presenterToken: string; audienceUrl: string };
}

describe("presentations over HTTP", () => {
  it("creates one per track, with an audience URL that holds no token", async () => {
    const { id, presenterToken, audienceUrl } = await present();
    expect(audienceUrl).toBe(`/watch/${id}`);
    expect(audienceUrl).not.toContain(presenterToken);
    const got = await host.request("GET", `/api/presentations/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id, presenter: "Ada", demo: "hello-sandbox", step: 0 });
    expect(got.text).not.toContain(presenterToken);
  });

  it("rejects an unknown track, a malformed body and an unknown presentation", async () => {
    expect(
      (await host.request("POST", "/api/presentations", { track: "no-such-track" })).json,
    ).toMatchObject({ error: { code: "not_found:track" } });
    const bad = await host.request("POST", "/api/presentations", { track: 42 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("bad_request:presentation");
    expect((await host.request("GET", "/api/presentations/nosuchpresentation")).status).toBe(404);
  });
});

describe("presenter socket rooms", () => {
  it("sends the audience each step the presenter takes, and the runs the presenter launched", async () => {
    const { id, presenterToken } = await present();
    const presenter = await connected();
    const audience = await connected();

    const joined = await send(audience, presenterEvents.join, { id });
    expect(joined).toMatchObject({ ok: true, state: { demo: "hello-sandbox", step: 0 } });

    let seen = nextState(audience);
    const moved = await send(presenter, presenterEvents.step, {
      id,
      token: presenterToken,
      demo: "hello-sandbox",
      step: 1,
    });
    expect(moved).toMatchObject({ ok: true, state: { step: 1 } });
    expect(await seen).toMatchObject({ demo: "hello-sandbox", step: 1, version: 1 });

    const run = await host.request("POST", "/api/runs", {
      runtime: "runc",
      image: "busybox",
      command: ["echo", "shown to the room"],
    });
    expect(run.status).toBe(201);
    seen = nextState(audience);
    await send(presenter, presenterEvents.runs, {
      id,
      token: presenterToken,
      runIds: [run.json.id],
    });
    expect((await seen).runs).toEqual([run.json.id]);
    await waitForEnd(host, run.json.id);
  });

  it("rejects a forged step, a forged run announcement and malformed payloads, changing nothing", async () => {
    const { id, presenterToken } = await present();
    const other = await present();
    const audience = await connected();
    await send(audience, presenterEvents.join, { id });
    const broadcasts: unknown[] = [];
    audience.on(presenterEvents.state, (state: unknown) => broadcasts.push(state));

    for (const token of ["forged", other.presenterToken, ""]) {
      const forged = await send(audience, presenterEvents.step, {
        id,
        token,
        demo: "what-the-sandbox-sees",
        step: 0,
      });
      expect(forged.ok).toBe(false);
    }
    const forgedStep = await send(audience, presenterEvents.step, {
      id,
      token: other.presenterToken,
      demo: "hello-sandbox",
      step: 2,
    });
    expect(forgedStep).toMatchObject({ ok: false, error: { code: "forbidden:presenter" } });
    const forgedRuns = await send(audience, presenterEvents.runs, {
      id,
      token: "forged",
      runIds: [],
    });
    expect(forgedRuns).toMatchObject({ ok: false, error: { code: "forbidden:presenter" } });
    const noToken = await send(audience, presenterEvents.step, {
      id,
      demo: "hello-sandbox",
      step: 1,
    });
    expect(noToken).toMatchObject({ ok: false, error: { code: "bad_request:presentation:step" } });
    const outside = await send(audience, presenterEvents.step, {
      id,
      token: presenterToken,
      demo: "containers-vs-vms",
      step: 0,
    });
    expect(outside).toMatchObject({ ok: false, error: { code: "bad_request:step" } });
    const unknownRun = await send(audience, presenterEvents.runs, {
      id,
      token: presenterToken,
      runIds: ["no-such-run"],
    });
    expect(unknownRun).toMatchObject({ ok: false, error: { code: "not_found:run" } });

    const after = await host.request("GET", `/api/presentations/${id}`);
    expect(after.json).toMatchObject({ demo: "hello-sandbox", step: 0, runs: [], version: 0 });
    expect(broadcasts).toEqual([]);
  });

  it("tells a visitor when a presentation does not exist", async () => {
    const audience = await connected();
    expect(await send(audience, presenterEvents.join, { id: "nosuchpresentation" })).toMatchObject({
      ok: false,
      error: { code: "not_found:presentation" },
    });
    expect(await send(audience, presenterEvents.join, { id: 7 })).toMatchObject({
      ok: false,
      error: { code: "bad_request:presentation:join" },
    });
  });
});

describe("a server restart in the middle of a talk", () => {
  it("keeps the presentation, its step and the presenter's token", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "sbpg-presenter-restart-"));
    let first: TestHost | null = await startTestHost({ SBPG_DATA_DIR: dataDir });
    let second: TestHost | null = null;
    try {
      const created = await first.request("POST", "/api/presentations", {
        track: "containers-and-their-kernel",
        presenter: "Ada",
      });
      const { id, presenterToken } = created.json as { id: string; presenterToken: string };
      const socket = first.socket();
      const moved = PresentationAckSchema.parse(
        await socket.timeout(5000).emitWithAck(presenterEvents.step, {
          id,
          token: presenterToken,
          demo: "hello-sandbox",
          step: 2,
        }),
      );
      expect(moved.ok).toBe(true);
      socket.close();
      await first.close();
      first = null;

      second = await startTestHost({ SBPG_DATA_DIR: dataDir });
      const kept = await second.request("GET", `/api/presentations/${id}`);
      expect(kept.status).toBe(200);
      expect(kept.json).toMatchObject({ id, presenter: "Ada", demo: "hello-sandbox", step: 2 });
      const again = second.socket();
      try {
        const next = PresentationAckSchema.parse(
          await again.timeout(5000).emitWithAck(presenterEvents.step, {
            id,
            token: presenterToken,
            demo: "hello-sandbox",
            step: 3,
          }),
        );
        expect(next.ok).toBe(true);
      } finally {
        again.close();
      }
    } finally {
      await first?.close();
      await second?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the audience count", () => {
  it("tells the room how many audience browsers follow, not counting the presenter's view", async () => {
    const { id } = await present();
    const presenter = await connected();
    const counts: number[] = [];
    presenter.on(presenterEvents.audience, (raw: unknown) => {
      const event = AudienceEventSchema.parse(raw);
      if (event.id === id) counts.push(event.following);
    });
    const countReaches = (n: number) => expect.poll(() => counts.at(-1), { timeout: 5000 }).toBe(n);
    try {
      expect((await send(presenter, presenterEvents.join, { id })).ok).toBe(true);
      await countReaches(0);
      const first = await connected();
      const second = await connected();
      expect((await send(first, presenterEvents.join, { id, audience: true })).ok).toBe(true);
      expect((await send(second, presenterEvents.join, { id, audience: true })).ok).toBe(true);
      await countReaches(2);
      second.close();
      await countReaches(1);
      first.emit(presenterEvents.leave, { id });
      await countReaches(0);
      first.close();
    } finally {
      presenter.close();
    }
  });
});
