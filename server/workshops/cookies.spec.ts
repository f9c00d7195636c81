import { describe, expect, it } from "vitest";
import { parseCookies } from "../http/cookies";
import { attendeeTokenOf, bearerTokenOf, joinCookies } from "./cookies";

describe("cookies", () => {
  it("parses a Cookie header, skipping malformed pairs", () => {
    const cookies = parseCookies('a=1; sbpg_attendee=tok%2Fen; junk; b="q"; a=2; bad=%E0%A4%A');
    expect(cookies.get("a")).toBe("1");
    expect(cookies.get("sbpg_attendee")).toBe("tok/en");
    expect(cookies.get("b")).toBe("q");
    expect(cookies.has("bad")).toBe(false);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it("finds the attendee token and a bearer token", () => {
    expect(attendeeTokenOf({ cookie: "x=1; sbpg_attendee=abc" })).toBe("abc");
    expect(attendeeTokenOf({ cookie: "sbpg_attendee=" })).toBeNull();
    expect(bearerTokenOf({ authorization: "Bearer abc-_1" })).toBe("abc-_1");
    expect(bearerTokenOf({ authorization: "Basic abc" })).toBeNull();
    expect(bearerTokenOf({})).toBeNull();
  });

  it("keeps the token from page scripts and other sites; the workshop id is readable", () => {
    const [token, workshop] = joinCookies("secret", "w1");
    expect(token).toMatch(/^sbpg_attendee=secret; Path=\/; HttpOnly; SameSite=Strict/);
    expect(workshop).toMatch(/^sbpg_workshop=w1; Path=\/; SameSite=Strict/);
    expect(workshop).not.toContain("HttpOnly");
  });
});
