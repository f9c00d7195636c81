import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  findFacilitatedWorkshop,
  listFacilitatedWorkshops,
  rememberFacilitatedWorkshop,
} from "./facilitated-workshops";

/** The part of a browser's localStorage these functions use, held in a Map. */
class MapStorage {
  items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const legacyKey = "sandbox-playground:hosted-workshops";
const key = "sandbox-playground:facilitated-workshops";
const workshop = { id: "w1", name: "Sandboxes 101", joinCode: "ABC234", createdAt: 1 };

describe("facilitated workshops in local storage", () => {
  let storage: MapStorage;
  beforeEach(() => {
    storage = new MapStorage();
    vi.stubGlobal("window", { localStorage: storage });
  });
  afterEach(() => vi.unstubAllGlobals());

  it("moves workshops kept while the facilitator was called host, once", () => {
    storage.setItem(legacyKey, JSON.stringify([{ ...workshop, hostToken: "t-1" }]));
    expect(listFacilitatedWorkshops()).toEqual([{ ...workshop, facilitatorToken: "t-1" }]);
    expect(storage.getItem(legacyKey)).toBeNull();
    expect(JSON.parse(storage.getItem(key)!)).toEqual([{ ...workshop, facilitatorToken: "t-1" }]);
    expect(findFacilitatedWorkshop("w1")?.facilitatorToken).toBe("t-1");
  });

  it("keeps what the current key holds over a stale legacy copy", () => {
    storage.setItem(key, JSON.stringify([{ ...workshop, facilitatorToken: "new" }]));
    storage.setItem(legacyKey, JSON.stringify([{ ...workshop, hostToken: "old" }]));
    expect(listFacilitatedWorkshops()).toEqual([{ ...workshop, facilitatorToken: "new" }]);
    expect(storage.getItem(legacyKey)).toBeNull();
  });

  it("remembers the newest first, one entry per workshop", () => {
    expect(rememberFacilitatedWorkshop({ ...workshop, facilitatorToken: "a" })).toBe(true);
    expect(rememberFacilitatedWorkshop({ ...workshop, id: "w2", facilitatorToken: "b" })).toBe(
      true,
    );
    expect(rememberFacilitatedWorkshop({ ...workshop, facilitatorToken: "c" })).toBe(true);
    expect(listFacilitatedWorkshops().map((w) => [w.id, w.facilitatorToken])).toEqual([
      ["w1", "c"],
      ["w2", "b"],
    ]);
  });

  it("reads unreadable storage as none", () => {
    storage.setItem(key, "{not json");
    expect(listFacilitatedWorkshops()).toEqual([]);
  });
});
