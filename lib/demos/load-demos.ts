// Reads demos/<slug>/index.md on the server (at build or request time) and validates each against the schema.
import fs from "node:fs";
import path from "node:path";
import matter from "gray-matter";
import type { z } from "zod";
import {
  renderInlineMarkdown,
  renderMarkdown,
  type MarkdownContext,
  type RenderedMarkdown,
} from "./markdown";
import { describeIssue } from "../api/describe-issue";
import type { RenderedDemoText } from "./markdown-tree";
import { DemoFrontmatterSchema, DemoSlugSchema, type Demo, type DemoFrontmatter } from "./schema";

export const defaultDemosDir = path.join(process.cwd(), "demos");

// Demo pages are prerendered at build time and the server runs from the project folder, so output tracing
// has nothing to copy; the turbopackIgnore markers stop it tracing the whole project through `demosDir`.

/** Every demo, ordered by `order` then title. Throws on the first malformed folder, naming the file and field
 * (a Markdown problem too: an unknown directive, a run block without a command, raw HTML, an outside image). */
export function loadDemos(demosDir: string = defaultDemosDir): Demo[] {
  const slugs = fs
    .readdirSync(/*turbopackIgnore: true*/ demosDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  return slugs
    .map((slug) => readDemo(demosDir, slug))
    .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
}

export function loadDemo(slug: string, demosDir: string = defaultDemosDir): Demo | null {
  if (!DemoSlugSchema.safeParse(slug).success) return null;
  if (!fs.existsSync(/*turbopackIgnore: true*/ path.join(demosDir, slug, "index.md"))) return null;
  return readDemo(demosDir, slug);
}

function readDemo(demosDir: string, slug: string): Demo {
  // Named as a content author sees it ("demos/<slug>/index.md"), wherever the folder lives.
  const shownPath = path.join(path.basename(demosDir), slug, "index.md");
  const slugCheck = DemoSlugSchema.safeParse(slug);
  if (!slugCheck.success)
    throw new Error(`${shownPath}: folder name: ${describeIssue(slugCheck.error)}`);

  let source: string;
  try {
    source = fs.readFileSync(
      /*turbopackIgnore: true*/ path.join(demosDir, slug, "index.md"),
      "utf8",
    );
  } catch (err) {
    throw new Error(`${shownPath}: cannot be read (${(err as Error).message})`, { cause: err });
  }

  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(source);
  } catch (err) {
    throw new Error(`${shownPath}: frontmatter is not valid YAML (${(err as Error).message})`, {
      cause: err,
    });
  }

  const result = DemoFrontmatterSchema.safeParse(parsed.data);
  if (!result.success) throw new Error(`${shownPath}: ${describeIssues(result.error.issues)}`);
  const body = parsed.content.trim();
  const demoDir = path.join(demosDir, slug);
  const cacheKey = `${demoDir}\0${source}`;
  let rendered = renderedCache.get(cacheKey);
  if (!rendered) {
    // Body lines are counted in the file an author edits, frontmatter included.
    const bodyLineOffset = source.slice(0, source.indexOf(body)).split("\n").length - 1;
    const renderResult = renderDemoText(result.data, body, bodyLineOffset, {
      slug,
      demoDir,
      // public/ sits beside demos/, as it does in the project folder.
      publicDir: path.join(demosDir, "..", "public"),
    });
    if (renderResult.problems.length > 0)
      throw new Error(`${shownPath}: ${renderResult.problems.join("; ")}`);
    rendered = renderResult.text;
    rememberRendered(cacheKey, rendered);
  }
  return { ...result.data, slug, body, rendered };
}

// Rendering a demo's Markdown takes milliseconds, and the presenter's pages load every demo per request;
// a folder is rendered again when its index.md changes. (An image deleted later is not noticed until then.)
const renderedCache = new Map<string, RenderedDemoText>();
const renderedCacheSize = 64;

function rememberRendered(key: string, text: RenderedDemoText): void {
  if (renderedCache.size >= renderedCacheSize) {
    const oldest = renderedCache.keys().next().value;
    if (oldest !== undefined) renderedCache.delete(oldest);
  }
  renderedCache.set(key, text);
}

/** Every Markdown field of a demo rendered, or each problem as "field (line n): message". */
function renderDemoText(
  frontmatter: DemoFrontmatter,
  body: string,
  bodyLineOffset: number,
  context: MarkdownContext,
): { text: RenderedDemoText; problems: string[] } {
  const problems: string[] = [];
  const collect = (field: string, lineOffset: number | null, result: RenderedMarkdown) => {
    for (const problem of result.problems) {
      const line =
        problem.line !== null && lineOffset !== null ? ` (line ${problem.line + lineOffset})` : "";
      problems.push(`${field}${line}: ${problem.message}`);
    }
    return result.nodes;
  };
  const inline = (field: string, items: string[]) =>
    items.map((item, i) => collect(`${field}[${i}]`, null, renderInlineMarkdown(item, context)));
  const text: RenderedDemoText = {
    body: collect("body", bodyLineOffset, renderMarkdown(body, context)),
    notice: inline("notice", frontmatter.notice),
    steps: frontmatter.steps.map((step, i) => ({
      title: step.title,
      body: collect(`steps[${i}].body`, null, renderMarkdown(step.body ?? "", context)),
      notice: inline(`steps[${i}].notice`, step.notice),
    })),
  };
  return { text, problems };
}

/** Zod issues as "field: message; …", each field written the way an author finds it in the YAML. */
export function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues.map((issue) => describeIssue(issue, formatPath)).join("; ");
}

/** ["steps", 0, "title"] reads as "steps[0].title", the way an author would find it in the YAML. */
function formatPath(segments: PropertyKey[]): string {
  if (segments.length === 0) return "frontmatter";
  return segments
    .map((segment, i) =>
      typeof segment === "number" ? `[${segment}]` : `${i === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
}
