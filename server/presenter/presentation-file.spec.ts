import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { presentationFile, presentationsFile } from "./presentation-file";
import { PresentationStore, defaultPresentationLimits } from "./presentations";

const outline = [{ slug: "hello-sandbox", title: "Hello, sandbox", stepCount: 2 }];

let dir: string;
let unreadable: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sbpg-presentations-"));
  unreadable = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const storeAt = (now: () => number) =>
  new PresentationStore(
    defaultPresentationLimits,
    now,
    presentationFile(dir, (reason) => unreadable.push(reason)),
  );

describe("presentations across a restart", () => {
  it("keep their step and presenter token; their runs do not survive", () => {
    const before = storeAt(() => 1_000);
    const { state, presenterToken } = before.create({
      track: { slug: "t", title: "Track" },
      outline,
      presenter: "Ada",
      owner: "visitor:ada",
      address: "127.0.0.1",
    });
    before.goTo(state.id, presenterToken, { demo: "hello-sandbox", step: 1 });
    before.announceRuns(state.id, presenterToken, ["run-1"], () => true);

    const after = storeAt(() => 2_000);
    expect(after.get(state.id)).toMatchObject({ demo: "hello-sandbox", step: 1, runs: [] });
    expect(after.goTo(state.id, presenterToken, { demo: "hello-sandbox", step: 0 }).step).toBe(0);
    expect(() => after.goTo(state.id, "forged", { demo: "hello-sandbox", step: 1 })).toThrow(
      /Only the presenter/,
    );
  });

  it("forgets presentations idle past the limit", () => {
    const before = storeAt(() => 0);
    const { state } = before.create({
      track: { slug: "t", title: "Track" },
      outline,
      presenter: "Ada",
      owner: "visitor:ada",
      address: "127.0.0.1",
    });
    const after = storeAt(() => defaultPresentationLimits.idleMs + 1);
    expect(() => after.get(state.id)).toThrow(/No presentation/);
  });

  it("reads a file written before visitors were told apart (its owner was the address)", () => {
    const before = storeAt(() => 0);
    const { state } = before.create({
      track: { slug: "t", title: "Track" },
      outline,
      presenter: "Ada",
      owner: "visitor:ada",
      address: "127.0.0.1",
    });
    const file = path.join(dir, presentationsFile);
    const data = JSON.parse(readFileSync(file, "utf8"));
    for (const stored of data.presentations) {
      delete stored.address;
      stored.owner = "127.0.0.1";
    }
    writeFileSync(file, JSON.stringify(data));
    expect(storeAt(() => 1).get(state.id).id).toBe(state.id);
    expect(unreadable).toEqual([]);
  });

  it("sets a damaged file aside and starts with none", () => {
    writeFileSync(path.join(dir, presentationsFile), '{"format":"something else"}');
    const store = storeAt(() => 0);
    expect(() => store.get("abc")).toThrow(/No presentation/);
    expect(unreadable).toHaveLength(1);
    expect(readdirSync(dir).some((f) => f.startsWith(`${presentationsFile}.unreadable-`))).toBe(
      true,
    );
  });
});
