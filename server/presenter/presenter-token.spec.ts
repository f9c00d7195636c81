import { describe, expect, it } from "vitest";
import { createPresenterToken, tokenMatches } from "./presenter-token";

describe("presenter tokens", () => {
  it("match only themselves, whatever the length of the guess", () => {
    const { token, hash } = createPresenterToken();
    expect(tokenMatches(hash, token)).toBe(true);
    for (const guess of [
      "",
      "a",
      token.slice(0, -1),
      `${token}a`,
      token.toUpperCase(),
      "x".repeat(500),
    ])
      expect(tokenMatches(hash, guess)).toBe(false);
  });

  it("are different every time", () => {
    expect(createPresenterToken().token).not.toBe(createPresenterToken().token);
  });
});
