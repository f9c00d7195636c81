// Imports the playground's locally built root filesystems into containerd, once per change of the rootfs.
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { ImageRef } from "../../images/image-store";
import type { ContainerdDaemon } from "./containerd-daemon";
import { writeOciArchive } from "./oci-image-layout";

export interface ImportedImage {
  ref: string;
  manifestDigest: string;
  /** The committed snapshot holding the unpacked rootfs: the parent of each sandbox's view. */
  chainId: string;
}

const ImportRecordSchema = z.object({
  sourceDigest: z.string(),
  ref: z.string(),
  manifestDigest: z.string(),
  chainId: z.string(),
});

export function containerdImageRef(name: string): string {
  return `localhost/sandbox-playground/${name}:latest`;
}

export class ContainerdImageImporter {
  /** What this process already checked against containerd, by image name: a launch then costs one file read. */
  private readonly verified = new Map<string, { sourceDigest: string; image: ImportedImage }>();
  private readonly inFlight = new Map<string, Promise<ImportedImage>>();

  constructor(private readonly daemon: ContainerdDaemon) {}

  async ensure(image: ImageRef): Promise<ImportedImage> {
    const sourceDigest = image.digest;
    const known = this.verified.get(image.name);
    if (known?.sourceDigest === sourceDigest) return known.image;
    const key = `${image.name}@${sourceDigest}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.importIfChanged(image, sourceDigest).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async importIfChanged(image: ImageRef, sourceDigest: string): Promise<ImportedImage> {
    const recordFile = path.join(this.daemon.paths.images, `${image.name}.json`);
    const record = await fs
      .readFile(recordFile, "utf8")
      .then((text) => ImportRecordSchema.parse(JSON.parse(text)))
      .catch(() => null);
    if (record?.sourceDigest === sourceDigest && (await this.isPresent(record))) {
      const imported = {
        ref: record.ref,
        manifestDigest: record.manifestDigest,
        chainId: record.chainId,
      };
      this.verified.set(image.name, { sourceDigest, image: imported });
      return imported;
    }
    const ref = containerdImageRef(image.name);
    const workDir = path.join(this.daemon.paths.images, `${image.name}.build`);
    await fs.mkdir(workDir, { recursive: true });
    try {
      const archive = await writeOciArchive({
        rootfsPath: image.rootfsPath,
        ref,
        created: image.builtAt,
        labels: { "sandbox-playground.source-manifest": sourceDigest },
        workDir,
      });
      const result = await this.daemon.ctr(["images", "import", archive.archivePath], 120_000);
      if (result.code !== 0)
        throw new Error(`ctr images import failed: ${(result.stderr || result.stdout).trim()}`);
      const imported = { ref, manifestDigest: archive.manifestDigest, chainId: archive.chainId };
      await fs.writeFile(recordFile, JSON.stringify({ sourceDigest, ...imported }));
      this.verified.set(image.name, { sourceDigest, image: imported });
      return imported;
    } finally {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  }

  /** The image still exists with the recorded digest and its unpacked snapshot (a host daemon may have pruned). */
  private async isPresent(record: z.infer<typeof ImportRecordSchema>): Promise<boolean> {
    const listed = await this.daemon.ctr(["images", "ls", `name==${record.ref}`]);
    if (listed.code !== 0 || !listed.stdout.includes(record.manifestDigest)) return false;
    const snapshot = await this.daemon.ctr(["snapshots", "info", record.chainId]);
    return snapshot.code === 0;
  }
}
