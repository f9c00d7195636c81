// A driver checks the host once; a check that throws becomes "unavailable" with the error as the reason.
import type { RuntimeAvailability } from "../engine/driver";

export function probeOnce(
  detect: () => Promise<RuntimeAvailability>,
): Promise<RuntimeAvailability> {
  return detect().catch((err: unknown) => ({
    available: false,
    version: null,
    reason: `probe failed: ${err instanceof Error ? err.message : String(err)}`,
    install: null,
    details: {},
  }));
}
