import { describe, expect, it } from "vitest";
import { StatusCode } from "../ttrpc/status-code";
import { defaultAgentLimits } from "./agent-limits";
import { IdCounter, SandboxState } from "./sandbox-state";

const blob = (bytes: number) => ({ name: "b", type: 1, data: new Uint8Array(bytes) });

describe("SandboxState", () => {
  it("frees a resource when the last session holding it is destroyed", () => {
    const state = new SandboxState(defaultAgentLimits, new IdCounter(), new IdCounter());
    const s1 = state.createSession(0);
    const s2 = state.createSession(0);
    const r = state.registerResource(s1, 0, () => ({ type: 2, blobs: [blob(10)] }));
    expect(state.registerResource(s2, r, () => ({ type: 2, blobs: [] }))).toBe(r);
    state.destroySession(s1);
    expect(state.resourceCount).toBe(1);
    expect(state.sessionView(s2).resources.map((x) => x.id)).toEqual([r]);
    state.destroySession(s2);
    expect(state.resourceCount).toBe(0);
    expect(state.heldBytes).toBe(0);
  });

  it("shares id counters across sandboxes, as one vAccel process numbers them", () => {
    const sessions = new IdCounter();
    const a = new SandboxState(defaultAgentLimits, sessions, new IdCounter());
    const b = new SandboxState(defaultAgentLimits, sessions, new IdCounter());
    expect([a.createSession(0), b.createSession(0), a.createSession(0)]).toEqual([1, 2, 3]);
  });

  it("refuses to unregister a resource from a session that does not hold it", () => {
    const state = new SandboxState(defaultAgentLimits, new IdCounter(), new IdCounter());
    const s1 = state.createSession(0);
    const s2 = state.createSession(0);
    const r = state.registerResource(s1, 0, () => ({ type: 0, blobs: [blob(1)] }));
    expect(() => state.unregisterResource(s2, r)).toThrow(
      expect.objectContaining({ code: StatusCode.INVALID_ARGUMENT }),
    );
    expect(() => state.unregisterResource(s1, 77)).toThrow("Unknown resource 77");
  });
});
