// Reads demos/<slug>/index.md on the server (at build or request time) and validates each against the schema.
import fs from "node:fs";
import path from "node:path";
import matter from "gray-matter";
import type { z } from "zod";
import { DemoFrontmatterSchema, DemoSlugSchema, type Demo } from "./schema";

export const defaultDemosDir = path.join(process.cwd(), "demos");

// Demo pages are prerendered at build time and the server runs from the project folder, so output tracing
// has nothing to copy; the turbopackIgnore markers stop it tracing the whole project through `demosDir`.

/** Every demo, ordered by `order` then title. Throws on the first malformed folder, naming the file and field. */
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
    throw new Error(`${shownPath}: folder name: ${slugCheck.error.issues[0]?.message}`);

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
  return { ...result.data, slug, body: parsed.content.trim() };
}

/** Zod issues as "field: message; …", each field written the way an author finds it in the YAML. */
export function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join("; ");
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
