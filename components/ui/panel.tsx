// A titled, bordered section: the page's building block, labelled by its heading for screen readers.
import type { ReactNode } from "react";

export function Panel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="rounded-lg border border-line bg-surface p-4"
    >
      <h2 id={`${id}-heading`} className="mb-2 text-lg font-semibold text-ink">
        {title}
      </h2>
      {children}
    </section>
  );
}
