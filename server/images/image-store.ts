// Built root filesystems in the cache: what exists, how big, and where; built by image-builder at setup.
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

export interface ImageRef {
  name: string;
  /** Absolute path of the root filesystem, shared read-only by every sandbox of this image. */
  rootfsPath: string;
}

export const ImageManifestSchema = z.object({
  name: z.string(),
  builtAt: z.string(),
  sizeBytes: z.number(),
  files: z.number(),
  source: z.string(),
});
export type ImageManifest = z.infer<typeof ImageManifestSchema>;

export interface ImageStatus {
  name: string;
  available: boolean;
  sizeBytes: number | null;
  reason: string | null;
}

/** Images the playground knows how to build; later tracks add theirs here. */
export const knownImages = ["busybox"] as const;

export class ImageStore {
  constructor(readonly root: string) {}

  dir(name: string): string {
    return path.join(this.root, "images", name);
  }

  isKnown(name: string): boolean {
    return (knownImages as readonly string[]).includes(name);
  }

  async manifest(name: string): Promise<ImageManifest | null> {
    try {
      const raw = await fs.readFile(path.join(this.dir(name), "manifest.json"), "utf8");
      return ImageManifestSchema.parse(JSON.parse(raw));
    } catch {
      return null;
    }
  }

  /** The image if it is built, else null. */
  async resolve(name: string): Promise<ImageRef | null> {
    if (!this.isKnown(name)) return null;
    const manifest = await this.manifest(name);
    if (!manifest) return null;
    return { name, rootfsPath: path.join(this.dir(name), "rootfs") };
  }

  async status(): Promise<ImageStatus[]> {
    return Promise.all(
      knownImages.map(async (name) => {
        const manifest = await this.manifest(name);
        return manifest
          ? { name, available: true, sizeBytes: manifest.sizeBytes, reason: null }
          : { name, available: false, sizeBytes: null, reason: "not built yet: run `npm run setup`" };
      }),
    );
  }
}
