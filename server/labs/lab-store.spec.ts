import { describe, expect, it } from "vitest";
import { openWorkshopDb } from "../workshops/workshop-db";
import { LabBoard } from "./lab-board";
import { LabRecord } from "./lab-record";
import { SqliteLabStore } from "./lab-store";

/** The data folder's database with one workshop row (the board's rows belong to a workshop). */
function storeWithWorkshop(now = () => 1_000) {
  const db = openWorkshopDb(":memory:");
  db.prepare(
    `INSERT INTO workshops (id, name, join_code, facilitator_token_hash, capacity, max_concurrent_runs,
       max_runs_per_attendee, allowed_runtimes, max_timeout_ms, created_at, expires_at)
     VALUES ('w1', 'W', 'ABC123', 'hash', 10, 2, 10, 'runc', 10000, 0, 99999999999)`,
  ).run();
  return { db, store: new SqliteLabStore(db, now) };
}

const demo = { slug: "lab", title: "A lab", steps: [{ title: "One" }, { title: "Two" }] };
const ada = { workshopId: "w1", attendeeId: "a1", name: "Ada" };

describe("SqliteLabStore", () => {
  it("gives back the steps it saved, per owner and demo, the latest save winning", () => {
    const { store } = storeWithWorkshop();
    const record = new LabRecord("lab", 2, () => 500);
    store.saveProgress("visitor:a", "lab", record.saved());
    record.markDone(0);
    store.saveProgress("visitor:a", "lab", record.saved());
    expect(store.loadProgress("visitor:a", "lab")?.map((s) => s.state)).toEqual(["done", "open"]);
    expect(store.loadProgress("visitor:b", "lab")).toBeNull();
    expect(store.loadProgress("visitor:a", "other")).toBeNull();
  });

  it("reads a row that does not parse as no progress, so the lab starts over", () => {
    const { db, store } = storeWithWorkshop();
    db.prepare(
      "INSERT INTO lab_progress VALUES ('visitor:a', 'lab', '[{\"state\":\"nope\"}]', 0)",
    ).run();
    db.prepare("INSERT INTO lab_progress VALUES ('visitor:b', 'lab', 'not json', 0)").run();
    expect(store.loadProgress("visitor:a", "lab")).toBeNull();
    expect(store.loadProgress("visitor:b", "lab")).toBeNull();
  });

  it("forgets progress untouched since a time, and nothing newer", () => {
    let now = 1_000;
    const { store } = storeWithWorkshop(() => now);
    store.saveProgress("visitor:old", "lab", new LabRecord("lab", 1).saved());
    now = 5_000;
    store.saveProgress("visitor:new", "lab", new LabRecord("lab", 1).saved());
    expect(store.pruneProgress(2_000)).toBe(1);
    expect(store.loadProgress("visitor:old", "lab")).toBeNull();
    expect(store.loadProgress("visitor:new", "lab")).not.toBeNull();
  });
});

describe("a board on the store", () => {
  it("starts from the entries and reveals an earlier process saved, and drops them with the workshop", () => {
    const { store } = storeWithWorkshop();
    const before = new LabBoard(store);
    const record = new LabRecord("lab", 2);
    record.markDone(0);
    before.record(ada, demo, record.snapshot());
    before.reveal("w1", { demo: "lab", step: 1 });
    before.reveal("w1", { demo: "lab", step: 1 });

    const after = new LabBoard(store);
    expect(after.entries("w1")).toEqual(before.entries("w1"));
    expect(after.entries("w1")[0]).toMatchObject({ name: "Ada", step: 1, stepTitle: "Two" });
    expect(after.revealed("w1")).toEqual([{ demo: "lab", step: 1 }]);

    after.forget("w1");
    const third = new LabBoard(store);
    expect(third.entries("w1")).toEqual([]);
    expect(third.revealed("w1")).toEqual([]);
  });
});
