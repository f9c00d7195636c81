import { describe, expect, it } from "vitest";
import { isRequestErrorCode, requestErrorStatus, runEndCodes } from "./errors";

describe("the error vocabulary", () => {
  it("gives every request code a status that its kind implies", () => {
    const kindStatus: Record<string, number[]> = {
      bad_request: [400],
      unauthorized: [401],
      forbidden: [403],
      not_found: [404],
      method: [405],
      conflict: [409],
      unavailable: [409, 503],
      too_large: [413],
      quota: [429],
      internal: [500],
      bad_gateway: [502],
    };
    for (const [code, status] of Object.entries(requestErrorStatus)) {
      const kind = code.split(":")[0]!;
      expect(kindStatus[kind], code).toContain(status);
    }
  });

  it("answers 503 only when the host itself is going away", () => {
    const unavailable503 = Object.entries(requestErrorStatus).filter(([, s]) => s === 503);
    expect(unavailable503.map(([c]) => c)).toEqual(["unavailable:host"]);
  });

  it("keeps run-end codes apart from request codes", () => {
    for (const code of runEndCodes) expect(isRequestErrorCode(code)).toBe(false);
    expect(isRequestErrorCode("not_found:run")).toBe(true);
    expect(isRequestErrorCode("not_allowed:method")).toBe(false);
  });
});
