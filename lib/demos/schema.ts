// The frontmatter every demos/<slug>/index.md must carry; the loader rejects a folder that does not match.
import { z } from "zod";
import { RuntimeIdSchema } from "@/lib/api/runtime-ids";

export const DemoStepSchema = z
  .object({
    title: z.string().min(1),
    body: z.string().optional(),
  })
  .strict();
export type DemoStep = z.infer<typeof DemoStepSchema>;

export const DemoWorkloadSchema = z
  .object({
    image: z.string().min(1).default("busybox"),
    command: z.array(z.string()).min(1, "command needs at least one element"),
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
  })
  .strict();
export type DemoWorkload = z.infer<typeof DemoWorkloadSchema>;

export const DemoFrontmatterSchema = z
  .object({
    title: z.string().min(1),
    summary: z.string().min(1),
    track: z.string().min(1),
    order: z.number(),
    /** Runtimes pre-selected on the demo page; the visitor may add or remove any the host offers. */
    runtimes: z.array(RuntimeIdSchema).min(1),
    steps: z.array(DemoStepSchema).default([]),
    workload: DemoWorkloadSchema,
    notice: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type DemoFrontmatter = z.infer<typeof DemoFrontmatterSchema>;

/** Folder names become URLs, so they are kebab-case. */
export const DemoSlugSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a demo folder name is lowercase words joined by dashes");

export interface Demo extends DemoFrontmatter {
  slug: string;
  /** The markdown body: the explanation shown beside the runner. */
  body: string;
}

export interface DemoTrack {
  track: string;
  demos: Demo[];
}
