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
  owner: "visitor:ada",
  address: "203.0.113.7",
};

function newStore(
  limits = { maxPresentations: 10, maxPerVisitor: 5, maxPerAddress: 8, idleMs: 60_000 },
) {
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
    const { store, advance } = newStore({
      maxPresentations: 3,
      maxPerVisitor: 2,
      maxPerAddress: 3,
      idleMs: 1000,
    });
    const oldest = store.create(input);
    const first = store.create(input);
    // A visitor at its cap (a speaker rehearsing) gets a new one; its oldest makes room.
    store.create(input);
    expect(() => store.get(oldest.state.id)).toThrow(
      expect.objectContaining({ code: "not_found:presentation" }),
    );
    expect(store.get(first.state.id).id).toBe(first.state.id);
    store.create({ ...input, owner: "visitor:bo", address: "198.51.100.1" });
    // The host is full: even a visitor holding none is refused.
    expect(() => store.create({ ...input, owner: "visitor:cy", address: "198.51.100.9" })).toThrow(
      expect.objectContaining({ code: "quota:presentations" }),
    );
    advance(1001);
    expect(() => store.get(first.state.id)).toThrow(
      expect.objectContaining({ code: "not_found:presentation" }),
    );
    expect(() =>
      store.create({ ...input, owner: "visitor:di", address: "198.51.100.2" }),
    ).not.toThrow();
  });

  it("counts per visitor behind one address, with a ceiling per address that evicts nobody", () => {
    const { store } = newStore({
      maxPresentations: 20,
      maxPerVisitor: 2,
      maxPerAddress: 5,
      idleMs: 60_000,
    });
    // Four speakers behind one conference NAT: each holds their own, none ends another's.
    const talks = ["a", "b", "c", "d"].map((name) =>
      store.create({ ...input, owner: `visitor:${name}` }),
    );
    for (const talk of talks) expect(store.get(talk.state.id).id).toBe(talk.state.id);
    // A visitor at its own cap still makes room among its own, within the address's ceiling.
    const second = store.create({ ...input, owner: "visitor:a" });
    const third = store.create({ ...input, owner: "visitor:a" });
    expect(() => store.get(talks[0].state.id)).toThrow(
      expect.objectContaining({ code: "not_found:presentation" }),
    );
    expect(store.get(second.state.id).id).toBe(second.state.id);
    expect(store.get(third.state.id).id).toBe(third.state.id);
    // The address holds 5: a new visitor from it is refused rather than evicting someone else's talk.
    expect(() => store.create({ ...input, owner: "visitor:e" })).toThrow(
      expect.objectContaining({ code: "quota:presentations_per_address" }),
    );
    for (const talk of talks.slice(1)) expect(store.get(talk.state.id).id).toBe(talk.state.id);
    expect(() =>
      store.create({ ...input, owner: "visitor:e", address: "198.51.100.4" }),
    ).not.toThrow();
  });

  it("refuses a track without demos", () => {
    const { store } = newStore();
    expect(() => store.create({ ...input, outline: [] })).toThrow(
      expect.objectContaining({ code: "conflict:track" }),
    );
  });
});
