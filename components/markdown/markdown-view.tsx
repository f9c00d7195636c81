// Renders parsed demo markdown as React elements: text is always escaped, there is no raw HTML path.
import type { ReactNode } from "react";
import { parseInline, parseMarkdown, type Block, type Inline } from "@/lib/demos/markdown";

export function MarkdownView({ source }: { source: string }) {
  return (
    <div className="flex flex-col gap-4 leading-relaxed text-ink">
      {parseMarkdown(source).map(renderBlock)}
    </div>
  );
}

/** One line of inline markdown (a step or a "what to notice" item). */
export function InlineMarkdown({ text }: { text: string }) {
  return <>{renderInlines(parseInline(text))}</>;
}

function renderBlock(block: Block, index: number): ReactNode {
  switch (block.type) {
    case "heading": {
      const Tag = `h${block.level}` as const;
      return (
        <Tag key={index} className="mt-2 text-xl font-semibold text-ink">
          {renderInlines(block.children)}
        </Tag>
      );
    }
    case "paragraph":
      return <p key={index}>{renderInlines(block.children)}</p>;
    case "list": {
      const Tag = block.ordered ? "ol" : "ul";
      return (
        <Tag
          key={index}
          className={`flex flex-col gap-1 pl-6 ${block.ordered ? "list-decimal" : "list-disc"}`}
        >
          {block.items.map((item, i) => (
            <li key={i}>{renderInlines(item)}</li>
          ))}
        </Tag>
      );
    }
    case "code":
      return (
        <pre
          key={index}
          className="overflow-x-auto rounded-md bg-surface-sunken p-3 font-mono text-sm text-ink"
        >
          <code>{block.text}</code>
        </pre>
      );
  }
}

function renderInlines(inlines: Inline[]): ReactNode[] {
  return inlines.map((inline, index) => {
    switch (inline.type) {
      case "text":
        return inline.text;
      case "code":
        return (
          <code
            key={index}
            className="rounded bg-surface-sunken px-1 py-0.5 font-mono text-[0.9em] text-ink"
          >
            {inline.text}
          </code>
        );
      case "strong":
        return <strong key={index}>{renderInlines(inline.children)}</strong>;
      case "em":
        return <em key={index}>{renderInlines(inline.children)}</em>;
      case "link":
        return (
          <a
            key={index}
            href={inline.href}
            className="font-medium text-accent underline underline-offset-2"
          >
            {renderInlines(inline.children)}
          </a>
        );
    }
  });
}
