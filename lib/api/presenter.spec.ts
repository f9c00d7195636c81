import { describe, expect, it } from "vitest";
import {
  CreatePresentationBodySchema,
  JoinPayloadSchema,
  RunsPayloadSchema,
  StepPayloadSchema,
} from "./presenter";

const id = "AbCdEfGh12_-";

describe("presenter wire schemas", () => {
  it("accept well-formed payloads", () => {
    expect(
      CreatePresentationBodySchema.parse({ track: "containers-vs-vms", presenter: " Ada " }),
    ).toEqual({
      track: "containers-vs-vms",
      presenter: "Ada",
    });
    expect(JoinPayloadSchema.parse({ id })).toEqual({ id });
    expect(StepPayloadSchema.parse({ id, token: "t", demo: "hello-sandbox", step: 2 }).step).toBe(
      2,
    );
    expect(RunsPayloadSchema.parse({ id, token: "t", runIds: ["a", "b"] }).runIds).toHaveLength(2);
  });

  it("reject what does not fit", () => {
    expect(CreatePresentationBodySchema.safeParse({ track: "../etc" }).success).toBe(false);
    expect(CreatePresentationBodySchema.safeParse({ track: "x", extra: 1 }).success).toBe(false);
    expect(JoinPayloadSchema.safeParse({ id: "short" }).success).toBe(false);
    expect(JoinPayloadSchema.safeParse({ id: "has spaces in it" }).success).toBe(false);
    expect(StepPayloadSchema.safeParse({ id, demo: "hello-sandbox", step: 1 }).success).toBe(false);
    expect(
      StepPayloadSchema.safeParse({ id, token: "t", demo: "hello-sandbox", step: -1 }).success,
    ).toBe(false);
    expect(
      StepPayloadSchema.safeParse({ id, token: "t", demo: "hello-sandbox", step: 1.5 }).success,
    ).toBe(false);
    expect(
      RunsPayloadSchema.safeParse({ id, token: "t", runIds: Array(17).fill("r") }).success,
    ).toBe(false);
    expect(RunsPayloadSchema.safeParse({ id, token: "x".repeat(129), runIds: [] }).success).toBe(
      false,
    );
  });
});
