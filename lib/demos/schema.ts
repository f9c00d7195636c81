// The frontmatter every demos/<slug>/index.md must carry; the loader rejects a folder that does not match.
import { z } from "zod";
import { maxScriptBytes } from "../api/run-limits";
import {
  ClusterRuntimeIdSchema,
  RuntimeIdSchema,
  type ClusterRuntimeId,
  type RuntimeId,
} from "../api/runtime-ids";
import { opensSessions, sessionRuntimeIds } from "../api/sessions";
import type { RenderedDemoText } from "./markdown-tree";

/** A check or setup that runs longer than this is not a check; the run limits still apply under it. */
export const maxStepTimeoutMs = 60_000;

/** A shell script run with the session's /bin/sh; one argument of an exec, so as large as one may be. */
const ScriptSchema = z
  .string()
  .refine((script) => script.trim() !== "", "is empty")
  .refine(
    (script) => Buffer.byteLength(script) <= maxScriptBytes,
    `is longer than ${maxScriptBytes} bytes`,
  );

export const DemoStepSchema = z
  .object({
    title: z.string().min(1),
    body: z.string().optional(),
    /** What to look for while this step is on screen; the demo's own `notice` covers the whole demo. */
    notice: z.array(z.string().min(1)).default([]),
    /** Commands shown as run blocks: Run types each into the step's terminals, Copy copies it. */
    run: z.array(ScriptSchema).default([]),
    /** Run in the visitor's session: exit 0 means the step is done; otherwise its last line is the hint. */
    check: ScriptSchema.optional(),
    /** Run once in each of the step's sessions when the step opens. */
    setup: ScriptSchema.optional(),
    /** What makes the check pass, revealed on request (and by a workshop facilitator); the run blocks when absent. */
    solve: ScriptSchema.optional(),
    /**
     * Where the step runs, side by side; the demo's runtimes when absent. Each must offer sessions: a host
     * runtime that does, or a cluster's (`k8s:kata-qemu`), which a host without that cluster shows unavailable.
     */
    runtimes: z
      .array(z.union([RuntimeIdSchema, ClusterRuntimeIdSchema]))
      .min(1)
      .optional(),
    /** How long the check and the setup may take, each; the host's short default when absent. */
    timeoutMs: z.number().int().min(1_000).max(maxStepTimeoutMs).optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (step.check !== undefined && step.solve === undefined && step.run.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["solve"],
        message: "a step with a check needs a solve script or run blocks that make the check pass",
      });
    const sessionless = (step.runtimes ?? []).filter((r) => !opensSessions(r));
    if (sessionless.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["runtimes"],
        message: `${sessionless.join(", ")} ${sessionless.length === 1 ? "has" : "have"} no interactive sessions (${sessionRuntimeIds.join(", ")} and a cluster's k8s:<class> have)`,
      });
  });
export type DemoStep = z.infer<typeof DemoStepSchema>;

/** A step the visitor works through in a session of their own: it runs commands or checks something. */
export function isLabStep(step: DemoStep): boolean {
  return (
    step.check !== undefined ||
    step.setup !== undefined ||
    step.solve !== undefined ||
    step.run.length > 0
  );
}

/** Where a lab step runs: its own runtimes, or the demo's (the loader checked those offer sessions). */
export function stepRuntimesOf(
  demo: Pick<DemoFrontmatter, "runtimes">,
  step: DemoStep,
): Array<RuntimeId | ClusterRuntimeId> {
  return step.runtimes ?? demo.runtimes;
}

/** The script that makes a step's check pass: its solve, or its run blocks one after the other. */
export function solutionOf(step: DemoStep): string | null {
  if (step.solve !== undefined) return step.solve;
  return step.run.length > 0 ? step.run.join("\n") : null;
}

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
  .strict()
  .superRefine((demo, ctx) => {
    // A lab step without runtimes of its own runs on the demo's, so those must offer sessions too.
    demo.steps.forEach((step, index) => {
      if (step.runtimes !== undefined || !isLabStep(step)) return;
      const sessionless = demo.runtimes.filter((r) => !opensSessions(r));
      if (sessionless.length > 0)
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "runtimes"],
          message: `needed: the demo's runtimes include ${sessionless.join(", ")}, which ${sessionless.length === 1 ? "has" : "have"} no interactive sessions (${sessionRuntimeIds.join(", ")} have)`,
        });
    });
  });
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
