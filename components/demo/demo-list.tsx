// Demos grouped by track, as links; used on the landing page and the demos index.
import Link from "next/link";
import type { DemoTrack } from "@/lib/demos/schema";
import { DemoProgress } from "@/components/tracks/demo-progress";
import { stepCountOf } from "@/lib/demos/track-steps";

export function DemoList({
  tracks,
  headingLevel = 2,
}: {
  /** A track's summary, where it has one, is shown under its name. */
  tracks: (DemoTrack & { summary?: string })[];
  headingLevel?: 2 | 3;
}) {
  const Heading = `h${headingLevel}` as const;
  const DemoHeading = `h${headingLevel + 1}` as "h3" | "h4";
  return (
    <div className="flex flex-col gap-8">
      {tracks.map(({ track, demos, summary }) => (
        <section key={track} aria-label={track}>
          <Heading className="text-xl font-semibold text-ink">{track}</Heading>
          {summary && <p className="mt-1 text-muted">{summary}</p>}
          <ol className="mt-3 grid gap-3 md:grid-cols-2">
            {demos.map((demo, index) => (
              <li key={demo.slug}>
                <Link
                  href={`/demos/${demo.slug}`}
                  className="group flex h-full flex-col gap-1 rounded-lg border border-line bg-surface p-4 shadow-sm hover:border-accent"
                >
                  <span className="text-sm font-medium text-muted">Demo {index + 1}</span>
                  <DemoHeading className="text-lg font-semibold text-accent group-hover:underline">
                    {demo.title}
                  </DemoHeading>
                  <span className="text-ink">{demo.summary}</span>
                  <span className="mt-1 text-sm text-muted">
                    Runs on: {demo.runtimes.join(", ")}
                  </span>
                  <DemoProgress demo={demo.slug} stepCount={stepCountOf(demo)} />
                </Link>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
