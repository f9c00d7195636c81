// Built root filesystems in the cache: what exists, how big, and where; built by image-builder at setup.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { ImageMounts } from "./image-mounts";

export interface ImageRef {
  name: string;
  /** Absolute path of the root filesystem, shared read-only by every sandbox of this image. */
  rootfsPath: string;
  /** When this build of the image was made, and a digest of its manifest: changes with every rebuild. */
  builtAt: string;
  digest: string;
}

export const ImageManifestSchema = z.object({
  name: z.string(),
  builtAt: z.string(),
  sizeBytes: z.number(),
  files: z.number(),
  source: z.string(),
  /** What the image was built from (see recipeDigest): a changed recipe means a rebuild. */
  recipeDigest: z.string().default(""),
});
export type ImageManifest = z.infer<typeof ImageManifestSchema>;

export interface ImageStatus {
  name: string;
  available: boolean;
  sizeBytes: number | null;
  reason: string | null;
}

/** Images the playground knows how to build; later tracks add theirs here. */
export const knownImages = ["busybox", "node-onnx"] as const;
export type KnownImage = (typeof knownImages)[number];

export class ImageStore {
  /** Manifests read before, kept while the file's mtime is unchanged: a launch costs one stat, not a parse. */
  private readonly cache = new Map<
    string,
    { mtimeMs: number; manifest: ImageManifest; digest: string }
  >();

  /** With mounts, resolve() hands out the read-only bind mount sandboxes can reach (see image-mounts.ts). */
  constructor(
    readonly root: string,
    private readonly mounts: ImageMounts | null = null,
  ) {}

  dir(name: string): string {
    return path.join(this.root, "images", name);
  }

  isKnown(name: string): boolean {
    return (knownImages as readonly string[]).includes(name);
  }

  async manifest(name: string): Promise<ImageManifest | null> {
    const file = path.join(this.dir(name), "manifest.json");
    try {
      const { mtimeMs } = await fs.stat(file);
      const cached = this.cache.get(name);
      if (cached?.mtimeMs === mtimeMs) return cached.manifest;
      const raw = await fs.readFile(file);
      const manifest = ImageManifestSchema.parse(JSON.parse(raw.toString("utf8")));
      const digest = createHash("sha256").update(raw).digest("hex");
      this.cache.set(name, { mtimeMs, manifest, digest });
      return manifest;
    } catch {
      this.cache.delete(name);
      return null;
    }
  }

  /** The image if it is built, else null. */
  async resolve(name: string): Promise<ImageRef | null> {
    if (!this.isKnown(name)) return null;
    const manifest = await this.manifest(name);
    if (!manifest) return null;
    const rootfsPath = path.join(this.dir(name), "rootfs");
    return {
      name,
      rootfsPath: this.mounts ? await this.mounts.expose(name, rootfsPath) : rootfsPath,
      builtAt: manifest.builtAt,
      digest: this.cache.get(name)?.digest ?? "",
    };
  }

  async status(): Promise<ImageStatus[]> {
    return Promise.all(
      knownImages.map(async (name) => {
        const manifest = await this.manifest(name);
        return manifest
          ? { name, available: true, sizeBytes: manifest.sizeBytes, reason: null }
          : {
              name,
              available: false,
              sizeBytes: null,
              reason: "not built yet: run `npm run setup`",
            };
      }),
    );
  }
}
