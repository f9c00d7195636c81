import { describe, expect, it } from "vitest";
import { PresentationStore } from "./presentations";
import { PresentationStateSchema } from "../../lib/api/presenter";

const outline = [
  { slug: "hello-sandbox", title: "Hello, sandbox", stepCount: 2 },
  { slug: "what-the-sandbox-sees", title: "What the sandbox sees", stepCount: 3 },
];
const input = {
  track: { slug: "containers-and-their-kernel", title: "Containers and their kernel" },
  outline,
  presenter: "Ada",
  owner: "203.0.113.7",
};

function newStore(limits = { maxPresentations: 10, maxPerClient: 5, idleMs: 60_000 }) {
  let now = 0;
  const store = new PresentationStore(limits, () => now);
  return { store, advance: (ms: number) => (now += ms) };
}

describe("PresentationStore", () => {
  it("starts at the first step of the first demo, with a state safe to broadcast", () => {
    const { store } = newStore();
    const { state, presenterToken } = store.create(input);
    expect(state).toMatchObject({ demo: "hello-sandbox", step: 0, runs: [], version: 0 });
    expect(PresentationStateSchema.parse(state)).toEqual(state);
    expect(JSON.stringify(state)).not.toContain(presenterToken);
    expect(presenterToken.length).toBeGreaterThanOrEqual(40);
  });

  it("moves with the presenter's token and keeps runs only within a demo", () => {
    const { store } = newStore();
    const { state, presenterToken } = store.create(input);
    store.announceRuns(state.id, presenterToken, ["r1", "r1", "r2"], () => true);
    expect(store.goTo(state.id, presenterToken, { demo: "hello-sandbox", step: 1 })).toMatchObject({
      step: 1,
      runs: ["r1", "r2"],
      version: 2,
    });
    expect(
      store.goTo(state.id, presenterToken, { demo: "what-the-sandbox-sees", step: 2 }),
    ).toMatchObject({ demo: "what-the-sandbox-sees", step: 2, runs: [] });
  });

  it("refuses a forged or another presentation's token and changes nothing", () => {
    const { store } = newStore();
    const mine = store.create(input);
    const theirs = store.create(input);
    for (const token of ["", "guess", theirs.presenterToken, mine.presenterToken + "x"]) {
      expect(() => store.goTo(mine.state.id, token, { demo: "hello-sandbox", step: 1 })).toThrow(
        expect.objectContaining({ code: "forbidden:presenter" }),
      );
      expect(() => store.announceRuns(mine.state.id, token, ["r1"], () => true)).toThrow(
        expect.objectContaining({ code: "forbidden:presenter" }),
      );
    }
    expect(store.get(mine.state.id)).toEqual(mine.state);
  });

  it("refuses steps outside the track and unknown runs, without a change", () => {
    const { store } = newStore();
    const { state, presenterToken } = store.create(input);
    expect(() => store.goTo(state.id, presenterToken, { demo: "hello-sandbox", step: 2 })).toThrow(
      expect.objectContaining({ code: "bad_request:step" }),
    );
    expect(() => store.goTo(state.id, presenterToken, { demo: "elsewhere", step: 0 })).toThrow(
      expect.objectContaining({ code: "bad_request:step" }),
    );
    expect(() => store.announceRuns(state.id, presenterToken, ["r1"], () => false)).toThrow(
      expect.objectContaining({ code: "not_found:run" }),
    );
    expect(store.get(state.id)).toEqual(state);
  });

  it("asks whether runs exist only once the token matched", () => {
    const { store } = newStore();
    const { state } = store.create(input);
    let asked = 0;
    expect(() =>
      store.announceRuns(state.id, "forged", ["r1"], () => {
        asked += 1;
        return true;
      }),
    ).toThrow();
    expect(asked).toBe(0);
  });

  it("forgets idle presentations and caps how many it holds", () => {
    const { store, advance } = newStore({ maxPresentations: 3, maxPerClient: 2, idleMs: 1000 });
    const oldest = store.create(input);
    const first = store.create(input);
    // A client at its cap (a speaker rehearsing) gets a new one; its oldest makes room.
    store.create(input);
    expect(() => store.get(oldest.state.id)).toThrow(
      expect.objectContaining({ code: "not_found:presentation" }),
    );
    expect(store.get(first.state.id).id).toBe(first.state.id);
    store.create({ ...input, owner: "198.51.100.1" });
    // The host is full: even a client holding none is refused.
    expect(() => store.create({ ...input, owner: "198.51.100.9" })).toThrow(
      expect.objectContaining({ code: "quota:presentations" }),
    );
    advance(1001);
    expect(() => store.get(first.state.id)).toThrow(
      expect.objectContaining({ code: "not_found:presentation" }),
    );
    expect(() => store.create({ ...input, owner: "198.51.100.2" })).not.toThrow();
  });

  it("refuses a track without demos", () => {
    const { store } = newStore();
    expect(() => store.create({ ...input, outline: [] })).toThrow(
      expect.objectContaining({ code: "conflict:track" }),
    );
  });
});
