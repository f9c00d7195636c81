// What a visitor asks of a load run, validated with messages that say what to change.
import { z } from "zod";

export const defaultRequests = 20;
export const maxRequests = 100;
export const defaultConcurrency = 4;

export type LoadMode = "cold" | "warm";

export interface LoadSettings {
  runtimes: string[];
  /** Cluster runtimes whose Knative Service takes the requests (warm, then from zero). */
  knative: string[];
  requests: number;
  concurrency: number;
  mode: LoadMode;
}

export interface LoadSettingsInput {
  runtimes: string[];
  knative?: string[];
  requests: string;
  concurrency: string;
  mode: LoadMode;
}

export type SettingsCheck =
  | { ok: true; settings: LoadSettings }
  | { ok: false; errors: Partial<Record<keyof LoadSettingsInput, string>> };

const whole = (what: string, max: number, maxNote: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${what} is a whole number`)
    .transform(Number)
    .pipe(
      z.number().min(1, `${what} is at least 1`).max(max, `${what} is at most ${max}${maxNote}`),
    );

/** `perClientLimit`: the host's limit on one client's sandboxes at once (GET /api/host). */
export function checkSettings(input: LoadSettingsInput, perClientLimit: number): SettingsCheck {
  const schema = z.object({
    runtimes: z.array(z.string()),
    knative: z.array(z.string()).default([]),
    requests: whole("The number of requests", maxRequests, ""),
    concurrency: whole(
      "Concurrency",
      perClientLimit,
      ", this host's limit on one visitor's sandboxes at once",
    ),
    mode: z.enum(["cold", "warm"]),
  });
  const parsed = schema
    .refine((settings) => settings.runtimes.length + settings.knative.length > 0, {
      path: ["runtimes"],
      message: "Choose at least one runtime",
    })
    .safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const errors: Partial<Record<keyof LoadSettingsInput, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as keyof LoadSettingsInput;
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}
