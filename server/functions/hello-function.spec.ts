// The function's script against the host's busybox, without a sandbox: request in, response out, as the gateway does it.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  FunctionQuerySchema,
  HelloReplySchema,
  helloFunctionCommand,
} from "../../lib/api/functions";
import { encodeRequest, parseResponse } from "./http-message";

const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((p) => existsSync(p));

describe.skipIf(!busybox)("the hello function", () => {
  const call = (method: string, target: string, body = "") => {
    const [, ...args] = helloFunctionCommand(
      encodeRequest({ method, target, rawHeaders: ["Host", "h"], body: Buffer.from(body) }),
    );
    return parseResponse(execFileSync(busybox!, ["sh", ...args]).toString());
  };

  it("answers 200 JSON naming the method, path and body size", () => {
    const response = call("POST", "/fn/hello?runtime=runc", "line one\nline two");
    expect(response?.status).toBe(200);
    const reply = HelloReplySchema.parse(JSON.parse(response!.body.toString()));
    expect(reply).toMatchObject({
      hello: "from a sandbox",
      method: "POST",
      path: "/fn/hello?runtime=runc",
      bodyBytes: 17,
    });
    expect(reply.kernel).toMatch(/^\d+\.\d+/);
  });

  it("keeps characters that would break its JSON out of it", () => {
    const response = call("GET", '/fn/hello?q="x\\y"');
    expect(HelloReplySchema.parse(JSON.parse(response!.body.toString())).path).toBe(
      "/fn/hello?q=xy",
    );
  });
});

describe("FunctionQuerySchema", () => {
  it("takes a runtime, an optional pool flag and an optional way to serve it", () => {
    expect(FunctionQuerySchema.parse({ runtime: "microvm", pool: "1" })).toEqual({
      runtime: "microvm",
      pool: true,
      via: "sandbox",
    });
    expect(FunctionQuerySchema.parse({ runtime: "runc" })).toEqual({
      runtime: "runc",
      pool: false,
      via: "sandbox",
    });
    expect(FunctionQuerySchema.parse({ runtime: "k8s:kata-qemu", via: "knative" })).toMatchObject({
      via: "knative",
    });
  });

  it("refuses a malformed runtime or flag", () => {
    expect(FunctionQuerySchema.safeParse({ runtime: "Not A Runtime" }).success).toBe(false);
    expect(FunctionQuerySchema.safeParse({ runtime: "runc", pool: "yes" }).success).toBe(false);
    expect(FunctionQuerySchema.safeParse({}).success).toBe(false);
    expect(FunctionQuerySchema.safeParse({ runtime: "runc", via: "lambda" }).success).toBe(false);
  });
});
