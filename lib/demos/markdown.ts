// Demo Markdown (CommonMark, GFM tables, directives) through remark and rehype-sanitize, to the plain tree the page
// renders. Runs on the server when a demo folder is loaded; what an author got wrong comes back as problems.
import fs from "node:fs";
import path from "node:path";
import type { Element, ElementContent, Root as HastRoot, RootContent as HastContent } from "hast";
import type { Code, Image, Nodes, Parent, RootContent } from "mdast";
import rehypeSanitize, { type Options as SanitizeSchema } from "rehype-sanitize";
import remarkDirective from "remark-directive";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import {
  admonitionKinds,
  markdownTags,
  type AdmonitionKind,
  type MarkdownNode,
  type MarkdownProps,
  type MarkdownTag,
} from "./markdown-tree";

export interface MarkdownProblem {
  /** 1-based line in the source handed to the renderer. */
  line: number | null;
  message: string;
}

export interface MarkdownContext {
  /** The demo folder's name: its images are served under demoFileUrl(slug, …). */
  slug: string;
  /** The demo folder on disk; a relative image path must name a file in it. */
  demoDir: string;
  /** public/ on disk; an image at a site path ("/…") must be a file in it. */
  publicDir: string;
}

export interface RenderedMarkdown {
  nodes: MarkdownNode[];
  problems: MarkdownProblem[];
}

/** Image types a demo may show; SVG is served with a CSP that keeps its scripts from running. */
export const imageExtensions = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"];

/** The run directive's only language: the runner hands the block to the sandbox's /bin/sh. */
const runLanguage = "sh";

export function demoFileUrl(slug: string, file: string): string {
  return `/demos/${slug}/files/${file.split("/").map(encodeURIComponent).join("/")}`;
}

/** A whole body (or a step's body): blocks. */
export function renderMarkdown(source: string, context: MarkdownContext): RenderedMarkdown {
  const problems: MarkdownProblem[] = [];
  const mdast = parser.parse(source);
  checkAndRewrite(mdast, source, context, problems);
  const hast = parser.runSync(mdast) as HastRoot;
  return { nodes: toNodes(hast.children, "root"), problems };
}

/** One line of Markdown (a "what to notice" item): the inline content of a single paragraph. */
export function renderInlineMarkdown(source: string, context: MarkdownContext): RenderedMarkdown {
  const { nodes, problems } = renderMarkdown(source, context);
  const only = nodes.length === 1 ? nodes[0] : undefined;
  if (typeof only === "object" && only.type === "element" && only.tag === "p")
    return { nodes: only.children, problems };
  if (nodes.length === 0) return { nodes, problems };
  return {
    nodes: [],
    problems: [
      ...problems,
      { line: null, message: "is one line of inline Markdown, not blocks (lists, code, tables)" },
    ],
  };
}

/** The HTML allowlist: GitHub's idea of safe, narrowed to what demo Markdown produces. */
export const demoSanitizeSchema: SanitizeSchema = {
  strip: ["script", "style"],
  tagNames: [...markdownTags, "h1", "pre", "aside"],
  attributes: {
    a: ["href", "title"],
    // A site path only: the protocol check below lets any relative URL through, "//other.host/x.png" too.
    img: [["src", /^\/(?![/\\])[^\\]*$/], "alt", "title"],
    code: [
      ["className", /^language-[\w+#.-]+$/],
      ["dataRun", "true"],
    ],
    aside: [["dataAdmonition", ...admonitionKinds]],
    p: [["dataAdmonitionTitle", "true"]],
    ol: ["start"],
    th: [["align", "left", "center", "right"]],
    td: [["align", "left", "center", "right"]],
  },
  // Links with a scheme need one of these; a URL without one is relative (a site path or an anchor).
  protocols: { href: ["http", "https", "mailto"] },
  ancestors: { tbody: ["table"], td: ["table"], th: ["table"], thead: ["table"], tr: ["table"] },
  clobberPrefix: "user-content-",
  clobber: ["id", "name"],
};

// remark-rehype without allowDangerousHtml drops raw HTML; the sanitizer is the allowlist behind it.
const parser = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkDirective)
  .use(remarkRehype)
  .use(rehypeSanitize, demoSanitizeSchema);

// ---- Markdown side: the playground's syntax, checked with its line, before any HTML exists.

function checkAndRewrite(
  parent: Parent,
  source: string,
  context: MarkdownContext,
  problems: MarkdownProblem[],
): void {
  parent.children = parent.children.flatMap((child): RootContent[] => {
    const line = child.position?.start.line ?? null;
    const report = (message: string) => problems.push({ line, message });
    switch (child.type) {
      case "html":
        report(`raw HTML is not allowed (${truncate(child.value)}); write it in Markdown`);
        return [];
      case "textDirective":
        // "10:30" or "runtime:runc" parse as text directives; the author meant the characters.
        return [{ type: "text", value: sliceOf(source, child) }];
      case "leafDirective":
        report(`unknown directive "::${child.name}" (known: ${knownContainers()})`);
        return [];
      case "containerDirective": {
        if (!isAdmonition(child.name)) {
          const hint = child.name === "run" ? "; a run block is a fence: ```sh run" : "";
          report(`unknown directive ":::${child.name}" (known: ${knownContainers()})${hint}`);
          return [];
        }
        if (Object.keys(child.attributes ?? {}).length > 0)
          report(`":::${child.name}" takes no {attributes}; write :::${child.name}[Title]`);
        child.data = { hName: "aside", hProperties: { dataAdmonition: child.name } };
        const label = child.children[0];
        if (label?.type === "paragraph" && label.data?.directiveLabel)
          label.data = { ...label.data, hProperties: { dataAdmonitionTitle: "true" } };
        break;
      }
      case "code":
        checkFence(child, report);
        return [child];
      case "image":
        return rewriteImage(child, context, report) ? [child] : [];
      case "imageReference":
        report(`image "${child.label ?? child.identifier}": write images inline, ![alt](file.png)`);
        return [];
      case "link":
      case "definition":
        if (!isSafeHref(child.url)) {
          report(`link "${truncate(child.url)}": only http(s), mailto, site paths and #anchors`);
          if (child.type === "definition") return [];
          child.url = "";
        }
        break;
    }
    if ("children" in child) checkAndRewrite(child, source, context, problems);
    return [child];
  });
}

function checkFence(code: Code, report: (message: string) => void): void {
  const words = (code.meta ?? "").split(/\s+/).filter(Boolean);
  const unknown = words.filter((word) => word !== "run");
  if (unknown.length > 0)
    report(`code fence "${[code.lang, ...words].join(" ")}": unknown "${unknown.join(" ")}"`);
  if (code.lang === "run") report('a run block names its shell first: "```sh run"');
  if (!words.includes("run")) return;
  if (code.lang !== runLanguage)
    report(`a run block runs in the sandbox's /bin/sh, so it is "\`\`\`${runLanguage} run"`);
  if (code.value.trim() === "") report("a run block has no command");
  // The hast code element carries the marker; the tree builder turns it into a run node.
  code.data = { ...code.data, hProperties: { dataRun: "true" } };
}

/** Keeps an image from the demo's folder (rewritten to its served URL) or public/; reports anything else. */
function rewriteImage(
  image: Image,
  context: MarkdownContext,
  report: (message: string) => void,
): boolean {
  const url = image.url;
  const refuse = (why: string) => {
    report(`image "${truncate(url)}": ${why}`);
    return false;
  };
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//") || url.includes("\\"))
    return refuse("only files in this demo's folder or in public/ are shown");
  if (!imageExtensions.includes(path.posix.extname(url).toLowerCase()))
    return refuse(`not an image type the site serves (${imageExtensions.join(", ")})`);
  const fromPublic = url.startsWith("/");
  const relative = path.posix.normalize(fromPublic ? url.slice(1) : url);
  if (relative.startsWith("../") || relative === "..")
    return refuse("leaves its folder; name a file inside it");
  const root = fromPublic ? context.publicDir : context.demoDir;
  if (!isFile(path.join(root, relative)))
    return refuse(`no such file in ${fromPublic ? "public/" : `demos/${context.slug}/`}`);
  image.url = fromPublic ? `/${relative}` : demoFileUrl(context.slug, relative);
  return true;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(/*turbopackIgnore: true*/ file).isFile();
  } catch {
    return false;
  }
}

/** Web and mail links, site paths and anchors; `javascript:`, `data:` and protocol-relative URLs are not. */
export function isSafeHref(href: string): boolean {
  return /^(https?:\/\/|mailto:|\/(?!\/)|#)/i.test(href);
}

/** A site path with no host and no way out of the site (the only image source the tree keeps). */
function isSitePath(src: string): boolean {
  return /^\/(?![/\\])/.test(src) && !src.includes("\\") && !src.split("/").includes("..");
}

function isAdmonition(name: string): name is AdmonitionKind {
  return (admonitionKinds as readonly string[]).includes(name);
}

function knownContainers(): string {
  return admonitionKinds.map((kind) => `:::${kind}`).join(", ");
}

function sliceOf(source: string, node: Nodes): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? "" : source.slice(start, end);
}

function truncate(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

// ---- HTML side: the sanitized tree to plain nodes, keeping only what the renderer knows.

type ParentKind = "root" | "block" | "inline";

// Whitespace between block elements is layout in HTML but a stray text node in React (invalid inside <tr>).
const blockContainers = new Set([
  "ul",
  "ol",
  "table",
  "thead",
  "tbody",
  "tr",
  "blockquote",
  "aside",
]);

function toNodes(children: HastContent[], parent: ParentKind): MarkdownNode[] {
  const out: MarkdownNode[] = [];
  for (const child of children) {
    if (child.type === "text") {
      if (parent !== "inline" && child.value.trim() === "") continue;
      out.push(child.value);
    } else if (child.type === "element") {
      out.push(...elementToNodes(child));
    }
  }
  return out;
}

function elementToNodes(element: Element): MarkdownNode[] {
  const props = element.properties;
  const kind = (tag: string): ParentKind => (blockContainers.has(tag) ? "block" : "inline");
  const childrenOf = (el: Element) => toNodes(el.children, kind(el.tagName));

  if (element.tagName === "pre") {
    const code = element.children.find((c): c is Element => c.type === "element");
    const text = code ? textOf(code).replace(/\n$/, "") : textOf(element);
    const language = code ? languageOf(code) : null;
    if (code?.properties.dataRun === "true" && language)
      return [{ type: "run", language, command: text }];
    return [{ type: "code", language, text }];
  }
  if (element.tagName === "aside") {
    const kind = String(props.dataAdmonition);
    if (!isAdmonition(kind)) return childrenOf(element);
    const [first, ...rest] = element.children.filter((c) => c.type === "element");
    const titled = first?.tagName === "p" && first.properties.dataAdmonitionTitle === "true";
    return [
      {
        type: "admonition",
        kind,
        title: titled ? toNodes(first.children, "inline") : null,
        children: toNodes(titled ? rest : element.children, "block"),
      },
    ];
  }
  if (element.tagName === "img") {
    const src = typeof props.src === "string" ? props.src : "";
    if (!isSitePath(src)) return [];
    return [{ type: "element", tag: "img", props: pickProps(element), children: [] }];
  }
  if (element.tagName === "a" && !(typeof props.href === "string" && isSafeHref(props.href)))
    return childrenOf(element);

  // The page title is the h1, so a body's "#" and "##" both become h2.
  const tag = element.tagName === "h1" ? "h2" : element.tagName;
  if (!isMarkdownTag(tag)) return childrenOf(element);
  return [{ type: "element", tag, props: pickProps(element), children: childrenOf(element) }];
}

function pickProps(element: Element): MarkdownProps {
  const p = element.properties;
  const props: MarkdownProps = {};
  if (typeof p.href === "string") props.href = p.href;
  if (typeof p.src === "string") props.src = p.src;
  if (typeof p.alt === "string") props.alt = p.alt;
  if (typeof p.title === "string") props.title = p.title;
  if (p.align === "left" || p.align === "center" || p.align === "right") props.align = p.align;
  if (typeof p.start === "number") props.start = p.start;
  return props;
}

function languageOf(code: Element): string | null {
  const classes = Array.isArray(code.properties.className) ? code.properties.className : [];
  const language = classes.map(String).find((c) => c.startsWith("language-"));
  return language ? language.slice("language-".length) : null;
}

function textOf(node: ElementContent): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(textOf).join("");
  return "";
}

function isMarkdownTag(tag: string): tag is MarkdownTag {
  return (markdownTags as readonly string[]).includes(tag);
}
