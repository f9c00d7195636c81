// Moving through a track step by step: a demo without steps still counts as one step, so every demo is visited.
export interface OutlineDemo {
  slug: string;
  title: string;
  stepCount: number;
}

export interface TrackPosition {
  demo: string;
  /** Zero-based step within the demo. */
  step: number;
}

export function stepCountOf(demo: { steps: readonly unknown[] }): number {
  return Math.max(1, demo.steps.length);
}

export function outlineOf(
  demos: readonly { slug: string; title: string; steps: readonly unknown[] }[],
): OutlineDemo[] {
  return demos.map((demo) => ({
    slug: demo.slug,
    title: demo.title,
    stepCount: stepCountOf(demo),
  }));
}

export function isValidPosition(outline: readonly OutlineDemo[], position: TrackPosition): boolean {
  const demo = outline.find((d) => d.slug === position.demo);
  return (
    demo !== undefined &&
    Number.isInteger(position.step) &&
    position.step >= 0 &&
    position.step < demo.stepCount
  );
}

/** The step after this one, moving on to the next demo's first step; null at the end of the track. */
export function nextPosition(
  outline: readonly OutlineDemo[],
  position: TrackPosition,
): TrackPosition | null {
  const index = outline.findIndex((d) => d.slug === position.demo);
  if (index < 0) return null;
  if (position.step + 1 < outline[index]!.stepCount)
    return { demo: position.demo, step: position.step + 1 };
  const next = outline[index + 1];
  return next ? { demo: next.slug, step: 0 } : null;
}

/** The step before this one, back to the previous demo's last step; null at the start of the track. */
export function previousPosition(
  outline: readonly OutlineDemo[],
  position: TrackPosition,
): TrackPosition | null {
  const index = outline.findIndex((d) => d.slug === position.demo);
  if (index < 0) return null;
  if (position.step > 0) return { demo: position.demo, step: position.step - 1 };
  const previous = outline[index - 1];
  return previous ? { demo: previous.slug, step: previous.stepCount - 1 } : null;
}

/** Where a position sits: "step 3 of 4" in its demo, "demo 2 of 3" in the track. */
export function describePosition(
  outline: readonly OutlineDemo[],
  position: TrackPosition,
): { demoNumber: number; demoCount: number; stepNumber: number; stepCount: number } {
  const index = outline.findIndex((d) => d.slug === position.demo);
  return {
    demoNumber: index + 1,
    demoCount: outline.length,
    stepNumber: position.step + 1,
    stepCount: outline[index]?.stepCount ?? 1,
  };
}
