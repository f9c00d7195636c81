import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CreateRunBodySchema } from "@/lib/api/schemas";
import { vaccelLimits } from "@/lib/api/vaccel";
import { inferCommand, maxArgumentChars } from "./infer-command";

describe("inferCommand", () => {
  it("hands generated text to the workload as an argument, beyond the shell's reach", () => {
    const command = inferCommand({
      op: "ocr",
      iterations: 3,
      input: { kind: "text", text: 'HELLO "$(REBOOT)"' },
    });
    expect(command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(command[2]).toContain('--op ocr --iterations 3 --text "$1"');
    expect(command.at(-1)).toBe('HELLO "$(REBOOT)"');
  });

  it("runs the ops without an input on generated data of the given size", () => {
    expect(inferCommand({ op: "sgemm", iterations: 2, size: 512 })).toEqual([
      "sh",
      "-c",
      "ORT_DISABLE_TELEMETRY=1 exec node /opt/guest/infer.mjs --op sgemm --iterations 2 --size 512",
    ]);
    expect(inferCommand({ op: "noop", iterations: 100 })[2]).toMatch(/--op noop --iterations 100$/);
  });

  it("splits the largest image into arguments the API accepts, and busybox's sh joins them back", () => {
    const bytes = Buffer.alloc(vaccelLimits.maxImageBytes, 0);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const base64 = bytes.toString("base64");
    const command = inferCommand({
      op: "classify",
      iterations: 1,
      input: { kind: "image", base64 },
    });
    const body = CreateRunBodySchema.parse({ runtime: "runc", image: "node-onnx", command });
    expect(body.command!.every((arg) => arg.length <= maxArgumentChars)).toBe(true);
    expect(command.slice(4).join("")).toBe(base64);
    // The request as the browser sends it fits the API's 64 KiB body limit.
    expect(JSON.stringify(body).length).toBeLessThan(64 * 1024);

    // The decoding half of the script, run here with the host's sh and base64 instead of the image's busybox.
    const dir = mkdtempSync(path.join(os.tmpdir(), "infer-command-"));
    try {
      const script = command[2]
        .replace("/tmp/input", path.join(dir, "input"))
        .replace(/; ORT_DISABLE_TELEMETRY.*$/, "");
      execFileSync("sh", ["-c", script, ...command.slice(3)]);
      expect(readFileSync(path.join(dir, "input")).equals(bytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
