import { describe, expect, it } from "vitest";
import { judge, lastLineOf, stepScriptCaller } from "./run-step-script";

describe("judge", () => {
  it("passes on exit 0 only", () => {
    expect(judge({ state: "exited", exitCode: 0, error: null }, "anything\n")).toEqual({
      passed: true,
      hint: null,
    });
    expect(judge({ state: "exited", exitCode: 1, error: null }, "Create /tmp/x first\n")).toEqual({
      passed: false,
      hint: "Create /tmp/x first",
    });
    expect(judge({ state: "exited", exitCode: 2, error: null }, "")).toEqual({
      passed: false,
      hint: "Not yet (exit code 2).",
    });
  });

  it("says what stopped a check that did not finish", () => {
    expect(
      judge(
        {
          state: "stopped",
          exitCode: null,
          error: { code: "limit:timeout", message: "Timed out" },
        },
        "half",
      ),
    ).toEqual({ passed: false, hint: "Timed out" });
  });
});

describe("lastLineOf", () => {
  it("takes the last line with words in it, without colours or carriage returns", () => {
    expect(lastLineOf("one\r\n\x1b[1;31mtwo\x1b[0m  \r\n\n")).toBe("two");
    expect(lastLineOf("\n \n")).toBe(null);
    expect(lastLineOf("x".repeat(400))).toHaveLength(301);
  });
});

describe("stepScriptCaller", () => {
  it("launches without the attendee cookie, so a workshop's run quotas do not count the demo's own script", () => {
    const caller = {
      headers: { cookie: "sbpg_visitor=v1; sbpg_attendee=secret; sbpg_workshop=w1", host: "x" },
      requester: { visitorId: "v1", address: "127.0.0.1" },
      requestedAt: 1,
    };
    const stripped = stepScriptCaller(caller);
    expect(stripped.headers.cookie).toBe("sbpg_visitor=v1; sbpg_workshop=w1");
    expect(stripped.headers.host).toBe("x");
    expect(stripped.requester).toBe(caller.requester);
  });
});
