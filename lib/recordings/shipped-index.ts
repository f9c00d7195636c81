// public/recordings/index.json: the recordings shipped with the site, made on a real host by scripts/record-demos.ts.
import { z } from "zod";

export const shippedIndexPath = "/recordings/index.json";
/** Shipped recordings ride along with every checkout; the largest, the microVM boot log, is ~32 KB. */
export const maxShippedRecordingBytes = 48 * 1024;

export const ShippedIndexSchema = z.object({
  recordings: z.array(
    z.object({
      slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
      runtime: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
      /** workloadKey() of the demo's image and command when it was recorded: a changed demo drops its recording. */
      workload: z.string().regex(/^[0-9a-f]{8}$/),
      path: z.string().regex(/^\/recordings\/[a-z0-9-]+\/[a-z0-9-]+\.sbpg\.json$/),
    }),
  ),
});
export type ShippedIndex = z.infer<typeof ShippedIndexSchema>;
