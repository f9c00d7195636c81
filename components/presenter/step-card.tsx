// The current step as both presenter and audience see it: where it sits, what to do, what to notice.
import { InlineMarkdown, MarkdownView } from "@/components/markdown/markdown-view";
import { RunBlock } from "@/components/markdown/run-block";
import type { MarkdownNode } from "@/lib/demos/markdown-tree";
import type { PresentationState } from "@/lib/api/presenter";
import { describePosition } from "@/lib/demos/track-steps";
import type { PresentedDemo } from "./presented-demo";

export function StepCard({
  state,
  demo,
}: {
  state: PresentationState;
  demo: PresentedDemo | undefined;
}) {
  const where = describePosition(state.outline, state);
  const step = demo?.rendered.steps[state.step];
  const title =
    demo?.title ?? state.outline.find((d) => d.slug === state.demo)?.title ?? state.demo;
  return (
    <section aria-labelledby="step-heading" className="flex flex-col gap-3">
      <p className="font-medium text-muted">
        {state.track.title} · demo {where.demoNumber} of {where.demoCount}:{" "}
        <span className="text-ink">{title}</span>
      </p>
      <h2 id="step-heading" className="text-3xl font-bold tracking-tight text-ink sm:text-4xl">
        <span data-testid="step-position">
          Step {where.stepNumber} of {where.stepCount}
        </span>
        {step && <>: {step.title}</>}
      </h2>
      {!step && demo && <p className="text-xl text-ink">{demo.summary}</p>}
      {step && step.body.length > 0 && (
        <MarkdownView
          nodes={step.body}
          className="flex flex-col gap-3 text-xl leading-relaxed text-ink"
        />
      )}
      {/* A lab step's commands: the presenter's Run types them into the shell the audience watches. */}
      {(demo?.steps[state.step]?.run ?? []).map((command, index) => (
        <RunBlock key={index} command={command} language="sh" />
      ))}
      <NoticeList title="What to notice" items={step?.notice ?? []} />
      {/* The demo's own notes sum it up, so they come with its last step. */}
      {where.stepNumber === where.stepCount && (
        <NoticeList title="What to notice in this demo" items={demo?.rendered.notice ?? []} />
      )}
    </section>
  );
}

function NoticeList({ title, items }: { title: string; items: MarkdownNode[][] }) {
  if (items.length === 0) return null;
  return (
    <div>
      <h3 className="text-xl font-semibold text-ink">{title}</h3>
      <ul className="mt-1 flex list-disc flex-col gap-1 pl-6 text-lg text-ink">
        {items.map((item, index) => (
          <li key={index}>
            <InlineMarkdown nodes={item} />
          </li>
        ))}
      </ul>
    </div>
  );
}
