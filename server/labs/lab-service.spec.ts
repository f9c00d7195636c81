// LabService against a scripted session exec (a real demo folder, runs finished by the test): concurrent checks
// share one, setups run once per session, and only the caller's own sessions are used.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDemo } from "../../lib/demos/load-demos";
import { Run } from "../engine/run";
import { createLogger } from "../log/logger";
import type { LaunchPolicy } from "../runs/launch-policy";
import { openRunAccess } from "../runs/run-access";
import type { SessionManager } from "../sessions/session-manager";
import { LabService, type LabCaller } from "./lab-service";

const demosDir = path.resolve(import.meta.dirname, "../../demos");
const visitorId = "labsunit-aaaaaaaaaaaaaaaaaa";
const caller: LabCaller = {
  owner: `visitor:${visitorId}`,
  attendee: null,
  headers: { cookie: `sbpg_visitor=${visitorId}` },
  requester: { visitorId, address: "127.0.0.1" },
  requestedAt: 0,
};

/** Sessions and a launch policy whose runs end as `answer` says, a few milliseconds after they start. */
function scriptedHost(
  answer: (script: string, runtime: string) => { exitCode: number; output: string },
) {
  const sessions = new Map(
    [
      ["s-runc", "runc", caller.owner],
      ["s-gvisor", "gvisor", caller.owner],
      ["s-other", "runc", "visitor:someone-else-bbbbbbbbbbbbbb"],
    ].map(([id, runtime, owner]) => [
      id!,
      { id, runtime, owner, image: "busybox", state: "ready" },
    ]),
  );
  const launched: Array<{ runtime: string; script: string }> = [];
  const manager = {
    get: (id: string) => sessions.get(id),
    exec: (session: { id: string }, launch: (inside: { resourceName: string }) => Promise<Run>) =>
      launch({ resourceName: `sbpg-${session.id}` }),
  } as unknown as SessionManager;
  const policy = {
    async launch(_caller: unknown, request: { runtime: string; command: string[] }) {
      const script = request.command[2]!;
      launched.push({ runtime: request.runtime, script });
      const run = new Run({
        id: `run-${launched.length}`,
        runtime: request.runtime,
        image: "busybox",
        command: request.command,
        limits: {
          timeoutMs: 10_000,
          memoryBytes: 1 << 26,
          pids: 64,
          cpuShares: 512,
          outputBytes: 16_384,
          tmpfsBytes: 1 << 24,
        },
        clientId: "test",
        backlogChars: 1024,
        requestedAt: 0,
      });
      run.transition("preparing");
      setTimeout(() => {
        const { exitCode, output } = answer(script, request.runtime);
        run.write(Buffer.from(output));
        run.finish("exited", { exitCode });
      }, 5);
      return run;
    },
  } as unknown as LaunchPolicy;
  const labs = new LabService({
    sessions: manager,
    policy,
    access: openRunAccess,
    loadDemo: (slug) => loadDemo(slug, demosDir),
    log: createLogger("silent"),
    checkTimeoutMs: 10_000,
  });
  return { labs, launched };
}

const slug = "a-shell-that-stays";
const bothSessions = {
  sessions: [
    { runtime: "runc", sessionId: "s-runc" },
    { runtime: "gvisor", sessionId: "s-gvisor" },
  ],
};

describe("LabService", () => {
  it("runs one check per runtime however often it is asked at once, and keeps the failing hint", async () => {
    const { labs, launched } = scriptedHost(() => ({
      exitCode: 1,
      output: "first\nNo note yet\n",
    }));
    await labs.attach(caller, slug, bothSessions);
    await labs.complete(caller, slug, 0);
    const [a, b, c] = await Promise.all([
      labs.check(caller, slug, 1),
      labs.check(caller, slug, 1),
      labs.check(caller, slug, 1),
    ]);
    expect(launched.filter((l) => l.script.includes("note.txt"))).toHaveLength(2);
    expect(a).toEqual(b);
    expect(b).toEqual(c);
    expect(a.steps[1]).toMatchObject({
      state: "failed",
      failedChecks: 1,
      hint: "runc: No note yet",
    });
  });

  it("runs an opened step's setup once in each session, not again when the sessions are attached again", async () => {
    const { labs, launched } = scriptedHost(() => ({ exitCode: 0, output: "" }));
    await labs.attach(caller, slug, bothSessions);
    await labs.complete(caller, slug, 0);
    const passed = await labs.check(caller, slug, 1);
    expect(passed.current).toBe(2);
    await labs.attach(caller, slug, bothSessions);
    const setups = launched.filter((l) => l.script === "rm -f ~/etc-write");
    expect(setups.map((l) => l.runtime).sort()).toEqual(["gvisor", "runc"]);
  });

  it("refuses a session that is not the caller's, and one that runs another runtime", async () => {
    const { labs, launched } = scriptedHost(() => ({ exitCode: 0, output: "" }));
    await expect(
      labs.attach(caller, slug, { sessions: [{ runtime: "runc", sessionId: "s-other" }] }),
    ).rejects.toMatchObject({ code: "not_found:session" });
    await expect(
      labs.attach(caller, slug, { sessions: [{ runtime: "gvisor", sessionId: "s-runc" }] }),
    ).rejects.toMatchObject({ code: "bad_request:lab_session" });
    expect(launched).toEqual([]);
  });
});
