// Renders a demo's sanitized Markdown tree (lib/demos/markdown-tree.ts) as React elements. The tree was checked
// when the demo was loaded, so this file holds no parser; text is always escaped, there is no raw HTML path.
import type { ReactNode } from "react";
import type { MarkdownNode, MarkdownProps, MarkdownTag } from "@/lib/demos/markdown-tree";
import { RunBlock } from "./run-block";

export function MarkdownView({
  nodes,
  className = "flex flex-col gap-4 leading-relaxed text-ink",
}: {
  nodes: MarkdownNode[];
  /** The wrapper's layout: a guide's step is tighter than a demo's body. */
  className?: string;
}) {
  return <div className={className}>{renderNodes(nodes)}</div>;
}

/** One line of inline Markdown (a "what to notice" item), without a wrapper. */
export function InlineMarkdown({ nodes }: { nodes: MarkdownNode[] }) {
  return <>{renderNodes(nodes)}</>;
}

const tagClasses: Partial<Record<MarkdownTag, string>> = {
  h2: "mt-2 text-xl font-semibold text-ink",
  h3: "mt-2 text-lg font-semibold text-ink",
  h4: "mt-1 font-semibold text-ink",
  h5: "font-semibold text-ink",
  h6: "font-semibold text-muted",
  ul: "flex list-disc flex-col gap-1 pl-6",
  ol: "flex list-decimal flex-col gap-1 pl-6",
  a: "font-medium text-accent underline underline-offset-2",
  code: "rounded bg-surface-sunken px-1 py-0.5 font-mono text-[0.9em] text-ink",
  blockquote: "flex flex-col gap-2 border-l-4 border-line pl-4 text-muted",
  hr: "border-line",
  table: "w-full border-collapse text-left text-sm",
  th: "border-b-2 border-line px-2 py-1 font-semibold",
  td: "border-b border-line px-2 py-1 align-top",
  img: "h-auto max-w-full rounded-md",
};

const admonitionStyle = {
  note: { label: "Note", border: "border-accent" },
  tip: { label: "Tip", border: "border-emerald-600" },
  warning: { label: "Warning", border: "border-amber-600" },
} as const;

function renderNodes(nodes: MarkdownNode[]): ReactNode[] {
  return nodes.map(renderNode);
}

function renderNode(node: MarkdownNode, index: number): ReactNode {
  if (typeof node === "string") return node;
  switch (node.type) {
    case "run":
      return <RunBlock key={index} command={node.command} language={node.language} />;
    case "code":
      return (
        <pre
          key={index}
          className="overflow-x-auto rounded-md bg-surface-sunken p-3 font-mono text-sm text-ink"
        >
          <code className={node.language ? `language-${node.language}` : undefined}>
            {node.text}
          </code>
        </pre>
      );
    case "admonition": {
      const style = admonitionStyle[node.kind];
      return (
        // role="note", not <aside>: a complementary landmark inside the page's main one is an axe finding.
        <div
          key={index}
          role="note"
          aria-label={style.label}
          className={`flex flex-col gap-2 rounded-md border-l-4 ${style.border} bg-surface-raised p-3`}
        >
          <p className="font-semibold">
            {style.label}
            {node.title && <>: {renderNodes(node.title)}</>}
          </p>
          {renderNodes(node.children)}
        </div>
      );
    }
    case "element":
      return renderElement(node.tag, node.props, node.children, index);
  }
}

function renderElement(
  tag: MarkdownTag,
  props: MarkdownProps,
  children: MarkdownNode[],
  key: number,
): ReactNode {
  const className = tagClasses[tag];
  switch (tag) {
    case "img":
      // Demo images are small files of the demo's folder or public/; next/image would need their sizes.
      return (
        <img
          key={key}
          src={props.src}
          alt={props.alt ?? ""}
          title={props.title}
          className={className}
        />
      );
    case "a":
      return (
        <a key={key} href={props.href} title={props.title} className={className}>
          {renderNodes(children)}
        </a>
      );
    case "ol":
      return (
        <ol key={key} start={props.start} className={className}>
          {renderNodes(children)}
        </ol>
      );
    case "table":
      return (
        <div key={key} className="overflow-x-auto">
          <table className={className}>{renderNodes(children)}</table>
        </div>
      );
    case "th":
    case "td": {
      const Cell = tag;
      return (
        <Cell
          key={key}
          className={className}
          style={props.align ? { textAlign: props.align } : undefined}
        >
          {renderNodes(children)}
        </Cell>
      );
    }
    case "hr":
    case "br": {
      const Void = tag;
      return <Void key={key} className={className} />;
    }
    default: {
      const Tag = tag;
      return (
        <Tag key={key} className={className}>
          {renderNodes(children)}
        </Tag>
      );
    }
  }
}
