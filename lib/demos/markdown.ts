// A deliberately small markdown subset for demo bodies, parsed to data so rendering never injects raw HTML.

export type Inline =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "strong"; children: Inline[] }
  | { type: "em"; children: Inline[] }
  | { type: "link"; href: string; children: Inline[] };

export type Block =
  | { type: "heading"; level: 2 | 3 | 4; children: Inline[] }
  | { type: "paragraph"; children: Inline[] }
  | { type: "list"; ordered: boolean; items: Inline[][] }
  | { type: "code"; text: string };

const fencePattern = /^```/;
const headingPattern = /^(#{1,6})\s+(.*)$/;
const bulletPattern = /^\s*[-*]\s+(.*)$/;
const numberedPattern = /^\s*\d+[.)]\s+(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    if (fencePattern.test(line)) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !fencePattern.test(lines[i])) body.push(lines[i++]);
      i++;
      blocks.push({ type: "code", text: body.join("\n") });
      continue;
    }
    const heading = headingPattern.exec(line);
    if (heading) {
      // The page title is the h1, so a body's "#" and "##" both become h2.
      const level = Math.min(4, Math.max(2, heading[1].length)) as 2 | 3 | 4;
      blocks.push({ type: "heading", level, children: parseInline(heading[2]) });
      i++;
      continue;
    }
    const ordered = numberedPattern.test(line);
    if (ordered || bulletPattern.test(line)) {
      const pattern = ordered ? numberedPattern : bulletPattern;
      const items: string[] = [];
      while (i < lines.length && lines[i].trim() !== "") {
        const item = pattern.exec(lines[i]);
        if (item) items.push(item[1]);
        else if (items.length > 0 && /^\s+/.test(lines[i]))
          items[items.length - 1] += ` ${lines[i].trim()}`;
        else break;
        i++;
      }
      blocks.push({ type: "list", ordered, items: items.map(parseInline) });
      continue;
    }
    const paragraph: string[] = [];
    while (
      i < lines.length &&
      lines[i].trim() !== "" &&
      !fencePattern.test(lines[i]) &&
      !headingPattern.test(lines[i]) &&
      !bulletPattern.test(lines[i]) &&
      !numberedPattern.test(lines[i])
    ) {
      paragraph.push(lines[i++].trim());
    }
    blocks.push({ type: "paragraph", children: parseInline(paragraph.join(" ")) });
  }
  return blocks;
}

const inlinePattern = /`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(inlinePattern)) {
    if (match.index > last) out.push({ type: "text", text: text.slice(last, match.index) });
    const [whole, code, strong, em, linkText, href] = match;
    if (code !== undefined) out.push({ type: "code", text: code });
    else if (strong !== undefined) out.push({ type: "strong", children: parseInline(strong) });
    else if (em !== undefined) out.push({ type: "em", children: parseInline(em) });
    else if (isSafeHref(href)) out.push({ type: "link", href, children: parseInline(linkText) });
    else out.push({ type: "text", text: whole });
    last = match.index + whole.length;
  }
  if (last < text.length) out.push({ type: "text", text: text.slice(last) });
  return out;
}

/** Only web links and site-relative paths; `javascript:` and friends stay plain text. */
function isSafeHref(href: string): boolean {
  return /^(https?:\/\/|\/(?!\/)|#)/.test(href);
}
