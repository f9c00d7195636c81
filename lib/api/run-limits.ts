// Limits one run asks for (POST /api/runs "limits"): lower than the host's, never higher. Browser and server share them.
import { z } from "zod";

const mib = 1024 * 1024;

/**
 * Below these a sandbox cannot do anything useful: a shell plus one command needs a few processes, and
 * gVisor's Sentry lives inside the memory limit it enforces. The upper bounds are the host's (GET /api/host).
 */
export const runLimitMinimums = {
  timeoutMs: 100,
  memoryBytes: 64 * mib,
  pids: 8,
  outputBytes: 1024,
} as const;

export const RunLimitsRequestSchema = z
  .object({
    memoryBytes: z
      .number()
      .int("a whole number of bytes")
      .min(runLimitMinimums.memoryBytes, "at least 64 MiB")
      .optional(),
    pids: z
      .number()
      .int("a whole number")
      .min(runLimitMinimums.pids, `at least ${runLimitMinimums.pids}`)
      .optional(),
    outputBytes: z
      .number()
      .int("a whole number of bytes")
      .min(runLimitMinimums.outputBytes, "at least 1 KiB")
      .optional(),
  })
  .strict();
export type RunLimitsRequest = z.infer<typeof RunLimitsRequestSchema>;

/** The largest script the lab sends: one command argument, as CreateRunBodySchema caps it. */
export const maxScriptBytes = 16_384;
