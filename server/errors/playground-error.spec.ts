import { describe, expect, it } from "vitest";
import { PlaygroundError, asPlaygroundError } from "./playground-error";

describe("PlaygroundError", () => {
  it("takes its status from the code's one entry in the table", () => {
    expect(new PlaygroundError("unavailable", "runtime", "no runsc").status).toBe(409);
    expect(new PlaygroundError("unavailable", "host", "shutting down").status).toBe(503);
    expect(new PlaygroundError("method", "not_allowed", "GET only").code).toBe(
      "method:not_allowed",
    );
  });

  it("does not compile with a kind and subject that do not belong together", () => {
    // tsc checks these lines (npm test runs it); at run time they only build errors.
    // @ts-expect-error "not_allowed" is a subject, not a kind
    const swapped = () => new PlaygroundError("not_allowed", "method", "x");
    // @ts-expect-error "host_full" is a quota's subject, not a not_found's
    const wrongKind = () => new PlaygroundError("not_found", "host_full", "x");
    expect([swapped, wrongKind]).toHaveLength(2);
  });

  it("hides anything else as an internal error", () => {
    expect(asPlaygroundError(new Error("disk")).code).toBe("internal:server");
  });
});
