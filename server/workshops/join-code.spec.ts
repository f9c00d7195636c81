import { describe, expect, it } from "vitest";
import {
  JoinWorkshopBodySchema,
  joinCodeAlphabet,
  joinCodeLength,
  normalizeJoinCode,
} from "../../lib/api/workshops";
import { generateJoinCode } from "./join-code";

describe("join codes", () => {
  it("use an alphabet without 0, O, 1 or I", () => {
    expect(joinCodeAlphabet).toHaveLength(32);
    for (const ambiguous of ["0", "O", "1", "I"]) expect(joinCodeAlphabet).not.toContain(ambiguous);
    expect(new Set(joinCodeAlphabet).size).toBe(32);
  });

  it("are six characters from that alphabet, every letter reachable", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = generateJoinCode();
      expect(code).toMatch(new RegExp(`^[${joinCodeAlphabet}]{${joinCodeLength}}$`));
      for (const c of code) seen.add(c);
    }
    expect(seen.size).toBe(32);
  });

  it("map every byte value onto the alphabet evenly", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    let offset = 0;
    const counts = new Map<string, number>();
    const random = (size: number) => {
      const slice = all.subarray(offset, offset + size);
      offset += size;
      return Buffer.from(slice);
    };
    while (offset + joinCodeLength <= 252) {
      for (const c of generateJoinCode(random)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
  });

  it("are read forgivingly: case, spaces and dashes do not matter", () => {
    expect(normalizeJoinCode(" ab3-k7m ")).toBe("AB3K7M");
    expect(JoinWorkshopBodySchema.parse({ code: "ab3 k7m", name: "Ann" }).code).toBe("AB3K7M");
  });

  it("refuse the ambiguous characters with a message that says why", () => {
    const parsed = JoinWorkshopBodySchema.safeParse({ code: "AB0K1M", name: "Ann" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toContain("no 0, O, 1 or I");
    expect(JoinWorkshopBodySchema.safeParse({ code: "ABC", name: "Ann" }).success).toBe(false);
  });
});
