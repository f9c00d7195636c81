// Serves a demo folder's images (the files its Markdown names), prerendered at build time like the demo pages.
import fs from "node:fs";
import path from "node:path";
import { defaultDemosDir, loadDemos } from "@/lib/demos/load-demos";
import { imageExtensions } from "@/lib/demos/markdown";

export const dynamic = "force-static";
export const dynamicParams = false;

const contentTypes: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".svg": "image/svg+xml",
};

export function generateStaticParams() {
  return loadDemos().flatMap((demo) =>
    listImages(path.join(defaultDemosDir, demo.slug)).map((file) => ({
      slug: demo.slug,
      file: file.split(path.sep),
    })),
  );
}

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ slug: string; file: string[] }> },
) {
  const { slug, file } = await params;
  const relative = file.join("/");
  const folder = path.join(defaultDemosDir, slug);
  // Only files generateStaticParams listed reach here; the check keeps it so if that ever changes.
  if (!listImages(folder).includes(relative.split("/").join(path.sep)))
    return new Response("Not found", { status: 404 });
  const body = fs.readFileSync(/*turbopackIgnore: true*/ path.join(folder, relative));
  return new Response(body, {
    headers: {
      "Content-Type":
        contentTypes[path.extname(relative).toLowerCase()] ?? "application/octet-stream",
      // An SVG opened on its own must not run scripts with the site's origin.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** Image files under a demo folder, as paths relative to it. */
function listImages(folder: string): string[] {
  return fs
    .readdirSync(/*turbopackIgnore: true*/ folder, { recursive: true, withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && imageExtensions.includes(path.extname(entry.name).toLowerCase()),
    )
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)));
}
