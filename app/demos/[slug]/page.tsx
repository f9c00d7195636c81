import type { Metadata } from "next";
import { Panel } from "@/components/ui/panel";
import Link from "next/link";
import { notFound } from "next/navigation";
import { InlineMarkdown, MarkdownView } from "@/components/markdown/markdown-view";
import { RunTargetProvider } from "@/components/markdown/run-target";
import { loadDemo, loadDemos } from "@/lib/demos/load-demos";
import { loadTracks } from "@/lib/demos/load-tracks";
import { StepGuide } from "@/components/tracks/step-guide";
import { LabWorkbench } from "@/components/lab-steps/lab-workbench";
import { isLab, labStepsOf } from "@/lib/demos/lab-steps";
import { RunBlockRunner } from "./run-block-runner";

interface DemoPageProps {
  params: Promise<{ slug: string }>;
}

export const dynamicParams = false;

export function generateStaticParams() {
  return loadDemos().map((demo) => ({ slug: demo.slug }));
}

export async function generateMetadata({ params }: DemoPageProps): Promise<Metadata> {
  const demo = loadDemo((await params).slug);
  return demo ? { title: demo.title, description: demo.summary } : {};
}

export default async function DemoPage({ params }: DemoPageProps) {
  const demo = loadDemo((await params).slug);
  if (!demo) notFound();
  const lab = isLab(demo);

  return (
    <RunTargetProvider>
      <div className="flex flex-col gap-8">
        <div className="max-w-4xl">
          <p className="text-sm font-medium text-muted">
            <Link href="/demos" className="underline underline-offset-2 hover:text-ink">
              Demos
            </Link>{" "}
            / {demo.track}
          </p>
          <h1 className="mt-1 text-3xl font-bold tracking-tight text-ink sm:text-4xl">
            {demo.title}
          </h1>
          <p className="mt-2 text-lg text-ink">{demo.summary}</p>
          <p className="mt-2">
            <Link
              href={`/lab?demo=${demo.slug}`}
              className="font-medium text-accent underline underline-offset-2 hover:text-accent-strong"
            >
              Open in the editor
            </Link>{" "}
            <span className="text-sm text-muted">
              to change the script or the sandbox&apos;s limits
            </span>
          </p>
        </div>

        {lab && <LabWorkbench slug={demo.slug} steps={labStepsOf(demo)} />}

        <div className="grid gap-8 xl:grid-cols-[minmax(0,1fr)_22rem]">
          <div className="min-w-0">
            <RunBlockRunner defaultRuntimes={demo.runtimes} workload={demo.workload} />
          </div>
          <aside className="flex flex-col gap-6" aria-label="Guide">
            {/* A lab's steps are in the lab above, where checks mark them done. */}
            {!lab && (
              <StepGuide
                demo={demo.slug}
                steps={demo.rendered.steps}
                nextDemo={nextDemoOf(demo.slug)}
              />
            )}
            {demo.rendered.notice.length > 0 && (
              <Panel id="notice" title="What to notice in this demo">
                <ul className="mt-2 flex list-disc flex-col gap-2 pl-5 text-ink">
                  {demo.rendered.notice.map((item, index) => (
                    <li key={index}>
                      <InlineMarkdown nodes={item} />
                    </li>
                  ))}
                </ul>
              </Panel>
            )}
          </aside>
        </div>

        <article aria-labelledby="about-heading" className="max-w-3xl">
          <h2 id="about-heading" className="mb-3 text-2xl font-semibold text-ink">
            About this demo
          </h2>
          <MarkdownView nodes={demo.rendered.body} />
        </article>
      </div>
    </RunTargetProvider>
  );
}

/** The demo after this one in its track, where the guide sends a visitor who finished. */
function nextDemoOf(slug: string): { slug: string; title: string } | null {
  for (const track of loadTracks()) {
    const index = track.demos.findIndex((d) => d.slug === slug);
    const next = index >= 0 ? track.demos[index + 1] : undefined;
    if (next) return { slug: next.slug, title: next.title };
  }
  return null;
}
