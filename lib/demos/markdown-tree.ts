// The sanitized Markdown tree a demo page renders: plain data, so it crosses from server to client components
// without the Markdown parser coming along, and every tag and attribute in it is one the renderer knows.

/** Tags a demo body may produce; anything else is dropped (its text kept) before the tree is built. */
export const markdownTags = [
  "p",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "ul",
  "ol",
  "li",
  "a",
  "strong",
  "em",
  "del",
  "code",
  "blockquote",
  "hr",
  "br",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "img",
] as const;
export type MarkdownTag = (typeof markdownTags)[number];

export interface MarkdownProps {
  /** A web, mail or site link (checked: never `javascript:` or another scheme). */
  href?: string;
  /** A site path: a file of the demo's own folder or of public/ (checked: never another host). */
  src?: string;
  alt?: string;
  title?: string;
  align?: "left" | "center" | "right";
  start?: number;
}

export const admonitionKinds = ["note", "tip", "warning"] as const;
export type AdmonitionKind = (typeof admonitionKinds)[number];

export type MarkdownNode =
  | string
  | { type: "element"; tag: MarkdownTag; props: MarkdownProps; children: MarkdownNode[] }
  | { type: "code"; language: string | null; text: string }
  /** The playground's own directive: a ```sh run fence, shown with Run and Copy buttons. */
  | { type: "run"; language: string; command: string }
  | {
      type: "admonition";
      kind: AdmonitionKind;
      title: MarkdownNode[] | null;
      children: MarkdownNode[];
    };

/** A demo's prose, rendered once when the folder is loaded. */
export interface RenderedDemoText {
  body: MarkdownNode[];
  /** One inline tree per `notice` item. */
  notice: MarkdownNode[][];
  steps: RenderedStep[];
}

export interface RenderedStep {
  title: string;
  body: MarkdownNode[];
  notice: MarkdownNode[][];
}
