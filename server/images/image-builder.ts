// Builds root filesystems from files already on the host (Debian packages), since no registry is reachable.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { ImageManifest } from "./image-store";

export interface ImageRecipe {
  name: string;
  /** Where the files come from, in words, for the manifest and the host page. */
  source: string;
  /** Host file -> path inside the image. */
  files: Array<{ from: string; to: string; mode?: number }>;
  symlinks: Array<{ target: string; path: string }>;
  directories: string[];
  /** Small generated files (passwd, hostname...). */
  generated: Array<{ path: string; content: string; mode?: number }>;
}

/** Builds into a temporary folder and renames it into place, so a half-built image never shows. */
export async function buildImage(recipe: ImageRecipe, imageDir: string): Promise<ImageManifest> {
  const staging = `${imageDir}.building-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  const rootfs = path.join(staging, "rootfs");
  await fs.mkdir(rootfs, { recursive: true, mode: 0o755 });

  for (const dir of recipe.directories) {
    await fs.mkdir(inside(rootfs, dir), { recursive: true, mode: 0o755 });
  }
  for (const file of recipe.files) {
    const dest = inside(rootfs, file.to);
    await fs.mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
    await fs.copyFile(file.from, dest);
    await fs.chmod(dest, file.mode ?? (await fs.stat(file.from)).mode & 0o7777);
  }
  for (const link of recipe.symlinks) {
    const dest = inside(rootfs, link.path);
    await fs.mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
    await fs.symlink(link.target, dest);
  }
  for (const gen of recipe.generated) {
    const dest = inside(rootfs, gen.path);
    await fs.mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
    await fs.writeFile(dest, gen.content, { mode: gen.mode ?? 0o644 });
  }

  const { sizeBytes, files } = await measureTree(rootfs);
  const manifest: ImageManifest = {
    name: recipe.name,
    builtAt: new Date().toISOString(),
    sizeBytes,
    files,
    source: recipe.source,
    recipeDigest: await recipeDigest(recipe),
  };
  await fs.writeFile(path.join(staging, "manifest.json"), JSON.stringify(manifest, null, 2));
  await fs.rm(imageDir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(imageDir), { recursive: true });
  await fs.rename(staging, imageDir);
  return manifest;
}

/** Normalising against "/" first confines every recipe path to the image: "../x" becomes "/x". */
function inside(root: string, p: string): string {
  return path.join(root, path.posix.normalize(`/${p}`));
}

async function measureTree(dir: string): Promise<{ sizeBytes: number; files: number }> {
  let sizeBytes = 0;
  let files = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const stat = await fs.lstat(full);
    files += 1;
    if (stat.isFile()) sizeBytes += stat.size;
  }
  return { sizeBytes, files };
}

/**
 * A digest of everything an image is built from: each source file's path, size and mtime (a package
 * upgrade or a new guest workload changes it), the links, folders and generated contents.
 */
export async function recipeDigest(recipe: ImageRecipe): Promise<string> {
  const hash = createHash("sha256");
  for (const file of recipe.files) {
    const stat = await fs.stat(file.from);
    hash.update(`f\0${file.from}\0${file.to}\0${file.mode ?? ""}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  for (const link of recipe.symlinks) hash.update(`l\0${link.target}\0${link.path}\n`);
  for (const dir of recipe.directories) hash.update(`d\0${dir}\n`);
  for (const gen of recipe.generated)
    hash
      .update(`g\0${gen.path}\0${gen.mode ?? ""}\0`)
      .update(gen.content)
      .update("\n");
  return hash.digest("hex");
}
