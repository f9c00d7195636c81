import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssue } from "./describe-issue";

const failure = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error("expected a failure");
  return parsed.error;
};

describe("describeIssue", () => {
  it("names the field of the first issue", () => {
    const error = failure(z.object({ a: z.object({ b: z.string() }), c: z.number() }), {
      a: { b: 1 },
    });
    expect(describeIssue(error)).toBe("a.b: Invalid input: expected string, received number");
  });

  it("gives the message alone when the value as a whole is wrong", () => {
    expect(describeIssue(failure(z.string().min(3, "too short"), "x"))).toBe("too short");
  });

  it("writes the path the way the reader finds it", () => {
    const error = failure(z.object({ size: z.number() }), { size: "big" });
    expect(describeIssue(error, (path) => `--${path.join(".")}`)).toMatch(/^--size: /);
    expect(describeIssue(error.issues[0])).toMatch(/^size: /);
  });

  it("says malformed when zod names no issue", () => {
    expect(describeIssue(new z.ZodError([]))).toBe("malformed");
  });
});
