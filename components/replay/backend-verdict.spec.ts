import { describe, expect, it } from "vitest";
import { ApiRequestError } from "@/components/live/api-client";
import {
  BackendUnreachableError,
  isUnreachableError,
  judgeBackend,
  socketGraceMs,
} from "./backend-verdict";

const signals = {
  networkErrors: 0,
  answered: 0,
  total: 2,
  socketConnected: false,
  waitedMs: 0,
};

describe("judgeBackend", () => {
  it("calls the host unreachable as soon as a launch request fails on the network", () => {
    expect(judgeBackend({ ...signals, networkErrors: 1, socketConnected: true })).toBe(
      "unreachable",
    );
  });

  it("calls it reachable once every launch request is answered, refusals included", () => {
    expect(judgeBackend({ ...signals, answered: 2 })).toBe("reachable");
  });

  it("waits while the socket is connected, however long the answer takes", () => {
    expect(judgeBackend({ ...signals, socketConnected: true, waitedMs: 60_000 })).toBe("undecided");
  });

  it("gives a silent network the grace period, then calls it unreachable", () => {
    expect(judgeBackend({ ...signals, waitedMs: socketGraceMs - 1 })).toBe("undecided");
    expect(judgeBackend({ ...signals, waitedMs: socketGraceMs })).toBe("unreachable");
  });

  it("keeps waiting when part of the batch was answered", () => {
    expect(judgeBackend({ ...signals, answered: 1, waitedMs: 10_000 })).toBe("undecided");
  });
});

describe("isUnreachableError", () => {
  it("tells a network failure or a gateway error from the server's own refusal", () => {
    expect(isUnreachableError(new ApiRequestError("x", 0, "network"))).toBe(true);
    expect(isUnreachableError(new ApiRequestError("x", 502, "http"))).toBe(true);
    expect(isUnreachableError(new BackendUnreachableError())).toBe(true);
    expect(isUnreachableError(new ApiRequestError("full", 429, "quota:host_full"))).toBe(false);
    expect(isUnreachableError(new ApiRequestError("x", 500, "internal:server"))).toBe(false);
    expect(isUnreachableError(new Error("other"))).toBe(false);
  });
});
