// The frontmatter every demos/<slug>/index.md must carry; the loader rejects a folder that does not match.
import { z } from "zod";
import { RuntimeIdSchema } from "../api/runtime-ids";
import type { RenderedDemoText } from "./markdown-tree";

export const DemoStepSchema = z
  .object({
    title: z.string().min(1),
    body: z.string().optional(),
    /** What to look for while this step is on screen; the demo's own `notice` covers the whole demo. */
    notice: z.array(z.string().min(1)).default([]),
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
  /** The body, steps and notices as sanitized Markdown trees, rendered when the folder was loaded. */
  rendered: RenderedDemoText;
}

export interface DemoTrack {
  track: string;
  demos: Demo[];
}

/** Track slugs appear in URLs and in presentation requests. */
export const TrackSlugSchema = DemoSlugSchema;

/** One entry of demos/tracks.md: demos name their track by `title` in their own frontmatter. */
export const TrackDefinitionSchema = z
  .object({
    slug: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a track slug is lowercase words joined by dashes"),
    title: z.string().min(1),
    summary: z.string().min(1),
  })
  .strict();
export type TrackDefinition = z.infer<typeof TrackDefinitionSchema>;

/** The frontmatter of demos/tracks.md: the tracks in the order they are shown. */
export const TracksFileSchema = z
  .object({
    tracks: z
      .array(TrackDefinitionSchema)
      .min(1)
      .superRefine((tracks, ctx) => {
        const seen = new Set<string>();
        tracks.forEach((track, index) => {
          for (const key of ["slug", "title"] as const) {
            const value = `${key}:${track[key]}`;
            if (seen.has(value))
              ctx.addIssue({
                code: "custom",
                path: [index, key],
                message: `"${track[key]}" is used by an earlier track`,
              });
            seen.add(value);
          }
        });
      }),
  })
  .strict();

/** A track with its demos, in order; a guided track walks through them step by step. */
export interface GuidedTrack extends DemoTrack, TrackDefinition {}
