// What the presenter and audience pages need of each demo; the page hands them every demo, keyed by slug.
import type { Demo } from "@/lib/demos/schema";

export type PresentedDemo = Pick<
  Demo,
  "slug" | "title" | "summary" | "runtimes" | "workload" | "steps" | "notice" | "rendered"
>;

export function toPresentedDemo(demo: Demo): PresentedDemo {
  const { slug, title, summary, runtimes, workload, steps, notice, rendered } = demo;
  return { slug, title, summary, runtimes, workload, steps, notice, rendered };
}
