import { describe, expect, it } from "vitest";
import { checkLabSettings, type LabSettingsInput } from "./lab-settings";

const input: LabSettingsInput = {
  op: "ocr",
  inputKind: "text",
  text: "HELLO 2026",
  upload: null,
  size: "256",
  iterations: "3",
  vmIterations: "1",
  modes: ["native", "microvm-vaccel"],
};

describe("checkLabSettings", () => {
  it("turns the fields into numbers", () => {
    expect(checkLabSettings(input)).toEqual({
      ok: true,
      settings: {
        op: "ocr",
        inputKind: "text",
        text: "HELLO 2026",
        iterations: 3,
        vmIterations: 1,
        modes: ["native", "microvm-vaccel"],
      },
    });
  });

  it("names every field to change at once", () => {
    const check = checkLabSettings({
      ...input,
      text: "hello",
      iterations: "31",
      vmIterations: "0",
      modes: [],
    });
    expect(check).toEqual({
      ok: false,
      errors: {
        text: expect.stringMatching(/font draws only/),
        iterations: "Iterations is at most 30",
        vmIterations: "Iterations on the VM's CPU is at least 1",
        modes: "Choose at least one mode",
      },
    });
  });

  it("needs an image before an upload run, and ignores the text then", () => {
    const upload = { ...input, inputKind: "upload" as const, text: "" };
    expect(checkLabSettings(upload)).toEqual({
      ok: false,
      errors: { upload: "Choose a PNG or JPEG image" },
    });
    expect(checkLabSettings({ ...upload, upload: "iVBORw0KGgo=" }).ok).toBe(true);
  });

  it("takes a size for SGEMM within its limits and ignores the text input then", () => {
    const sgemm = { ...input, op: "sgemm" as const, text: "hello" };
    expect(checkLabSettings(sgemm)).toMatchObject({
      ok: true,
      settings: { op: "sgemm", size: 256 },
    });
    expect(checkLabSettings({ ...sgemm, size: "1024" })).toEqual({
      ok: false,
      errors: { size: "N is at most 512" },
    });
    expect(checkLabSettings({ ...sgemm, size: "8" })).toEqual({
      ok: false,
      errors: { size: "N is at least 16" },
    });
    const noop = checkLabSettings({ ...input, op: "noop", text: "", size: "" });
    expect(noop.ok).toBe(true);
    expect(noop.ok && "size" in noop.settings).toBe(false);
  });

  it("refuses fractions and words for iterations", () => {
    for (const iterations of ["2.5", "two", ""]) {
      const check = checkLabSettings({ ...input, iterations });
      expect(check.ok ? null : check.errors.iterations).toBe("Iterations is a whole number");
    }
  });
});
