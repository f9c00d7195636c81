// What a visitor edits in the lab, checked against the host's bounds before anything launches, with messages per field.
import { z } from "zod";
import type { HostReply } from "@/lib/api/schemas";
import { maxScriptBytes, runLimitMinimums, type RunLimitsRequest } from "@/lib/api/run-limits";

const mib = 1024 * 1024;

/** The form as typed: numbers stay text until they are checked. */
export interface LabInput {
  script: string;
  timeoutSeconds: string;
  memoryMiB: string;
  pids: string;
  outputKiB: string;
}
export type LabField = keyof LabInput;

export interface LabWorkload {
  image: "busybox";
  command: string[];
  timeoutMs: number;
  limits: Required<RunLimitsRequest>;
}

export type LabCheck =
  { ok: true; workload: LabWorkload } | { ok: false; errors: Partial<Record<LabField, string>> };

/** What the lab allows on this host: from GET /api/host, units as the form shows them. */
export interface LabBounds {
  timeoutSeconds: { min: number; max: number; default: number };
  memoryMiB: { min: number; max: number };
  pids: { min: number; max: number };
  outputKiB: { min: number; max: number };
}

export function labBounds(host: HostReply["limits"]): LabBounds {
  return {
    timeoutSeconds: {
      min: runLimitMinimums.timeoutMs / 1000,
      max: host.maxTimeoutMs / 1000,
      default: host.defaultTimeoutMs / 1000,
    },
    memoryMiB: { min: runLimitMinimums.memoryBytes / mib, max: Math.floor(host.memoryBytes / mib) },
    pids: { min: runLimitMinimums.pids, max: host.pids },
    outputKiB: {
      min: runLimitMinimums.outputBytes / 1024,
      max: Math.floor(host.outputBytes / 1024),
    },
  };
}

export type LabLimitsInput = Omit<LabInput, "script">;

/** The limit fields filled with the host's own limits: a visitor lowers them from there. */
export function defaultLabLimits(bounds: LabBounds, timeoutMs?: number): LabLimitsInput {
  const timeout = timeoutMs === undefined ? bounds.timeoutSeconds.default : timeoutMs / 1000;
  return {
    timeoutSeconds: String(Math.min(timeout, bounds.timeoutSeconds.max)),
    memoryMiB: String(bounds.memoryMiB.max),
    pids: String(bounds.pids.max),
    outputKiB: String(bounds.outputKiB.max),
  };
}

export function scriptBytes(script: string): number {
  return new TextEncoder().encode(script).length;
}

/** Text that must read as a number in `range`; `whole`: no fraction (seconds may have up to three decimals). */
const inRange = (what: string, unit: string, range: { min: number; max: number }, whole: boolean) =>
  z
    .string()
    .trim()
    .regex(
      whole ? /^\d+$/ : /^\d+(\.\d{1,3})?$/,
      `${what} is a ${whole ? "whole number" : "number"}`,
    )
    .transform(Number)
    .pipe(
      z
        .number()
        .min(range.min, `${what} is at least ${range.min}${unit}`)
        .max(range.max, `${what} is at most ${range.max}${unit} on this host`),
    );

export function checkLab(input: LabInput, bounds: LabBounds): LabCheck {
  const schema = z.object({
    script: z
      .string()
      .refine((s) => s.trim().length > 0, "The script is empty: write at least one command")
      .superRefine((s, ctx) => {
        const bytes = scriptBytes(s);
        if (bytes > maxScriptBytes)
          ctx.addIssue({
            code: "custom",
            message: `The script is ${formatKiB(bytes)}, over the limit of ${formatKiB(maxScriptBytes)}: shorten it`,
          });
      }),
    timeoutSeconds: inRange("The time limit", " s", bounds.timeoutSeconds, false),
    memoryMiB: inRange("Memory", " MiB", bounds.memoryMiB, true),
    pids: inRange("Processes", "", bounds.pids, true),
    outputKiB: inRange("Output", " KiB", bounds.outputKiB, true),
  });
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const errors: Partial<Record<LabField, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as LabField;
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const { script, timeoutSeconds, memoryMiB, pids, outputKiB } = parsed.data;
  return {
    ok: true,
    workload: {
      image: "busybox",
      command: ["sh", "-c", script],
      timeoutMs: Math.round(timeoutSeconds * 1000),
      limits: { memoryBytes: memoryMiB * mib, pids, outputBytes: outputKiB * 1024 },
    },
  };
}

function formatKiB(bytes: number): string {
  return `${+(bytes / 1024).toFixed(1)} KiB`;
}
