// Turns a local root filesystem into an OCI image archive (layout tar) that `ctr images import` accepts.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { runCommand } from "../process-exit";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export const mediaTypes = {
  config: "application/vnd.oci.image.config.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  // Uncompressed: the archive stays local, and skipping gzip saves the time of compressing and unpacking it.
  layer: "application/vnd.oci.image.layer.v1.tar",
} as const;

export interface ImageConfigInput {
  diffIds: string[];
  /** RFC 3339; fixed per source so the same rootfs gives the same digests. */
  created: string;
  labels: Record<string, string>;
  architecture?: string;
}

/** Go's GOARCH names, which image platforms use. */
export function ociArchitecture(nodeArch: string = process.arch): string {
  return (
    ({ x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" } as const)[
      nodeArch as "x64"
    ] ?? nodeArch
  );
}

export function buildImageConfig(input: ImageConfigInput): Record<string, unknown> {
  return {
    created: input.created,
    architecture: input.architecture ?? ociArchitecture(),
    os: "linux",
    config: {
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      Cmd: ["sh"],
      Labels: input.labels,
    },
    rootfs: { type: "layers", diff_ids: input.diffIds },
    history: [{ created: input.created, created_by: "sandbox-playground image builder" }],
  };
}

export function buildManifest(config: Descriptor, layers: Descriptor[]): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: mediaTypes.manifest, config, layers };
}

/** The ref.name annotation is what `ctr images import` names the image after. */
export function buildIndex(
  manifest: Descriptor,
  ref: string,
  architecture = ociArchitecture(),
): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: mediaTypes.index,
    manifests: [
      {
        ...manifest,
        annotations: { "org.opencontainers.image.ref.name": ref },
        platform: { architecture, os: "linux" },
      },
    ],
  };
}

/** The snapshot key containerd's unpacker gives the top layer: chainID per the OCI image spec. */
export function chainId(diffIds: string[]): string {
  return diffIds.reduce(
    (parent, diffId) =>
      `sha256:${createHash("sha256").update(`${parent} ${diffId}`).digest("hex")}`,
  );
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}

/**
 * A reproducible tar of a folder: sorted names, epoch mtimes, numeric root ownership, no atime/ctime, so an
 * unchanged rootfs always gives the same layer digest.
 */
export function layerTarArgs(rootfsPath: string, outFile: string): string[] {
  return [
    "--create",
    "--file",
    outFile,
    "--directory",
    rootfsPath,
    "--sort=name",
    "--mtime=@0",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--format=posix",
    "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
    ".",
  ];
}

export interface OciArchive {
  archivePath: string;
  manifestDigest: string;
  chainId: string;
}

export interface OciArchiveInput {
  rootfsPath: string;
  ref: string;
  created: string;
  labels: Record<string, string>;
  /** A scratch folder; the archive is written inside it. */
  workDir: string;
}

export async function writeOciArchive(input: OciArchiveInput): Promise<OciArchive> {
  const layout = path.join(input.workDir, "layout");
  const blobs = path.join(layout, "blobs", "sha256");
  await fs.rm(layout, { recursive: true, force: true });
  await fs.mkdir(blobs, { recursive: true });
  const writeBlob = async (
    mediaType: string,
    json: Record<string, unknown>,
  ): Promise<Descriptor> => {
    const bytes = Buffer.from(JSON.stringify(json));
    const digest = sha256(bytes);
    await fs.writeFile(path.join(blobs, digest.slice("sha256:".length)), bytes);
    return { mediaType, digest, size: bytes.length };
  };

  const layerFile = path.join(input.workDir, "layer.tar");
  const tarred = await runCommand("tar", layerTarArgs(input.rootfsPath, layerFile), 120_000);
  if (tarred.code !== 0)
    throw new Error(`tar of ${input.rootfsPath} failed: ${tarred.stderr.trim()}`);
  const layerDigest = await sha256File(layerFile);
  const layer: Descriptor = {
    mediaType: mediaTypes.layer,
    digest: layerDigest,
    size: (await fs.stat(layerFile)).size,
  };
  await fs.rename(layerFile, path.join(blobs, layerDigest.slice("sha256:".length)));

  // An uncompressed layer's diffID is its own digest.
  const diffIds = [layerDigest];
  const config = await writeBlob(
    mediaTypes.config,
    buildImageConfig({ diffIds, created: input.created, labels: input.labels }),
  );
  const manifest = await writeBlob(mediaTypes.manifest, buildManifest(config, [layer]));
  await fs.writeFile(
    path.join(layout, "index.json"),
    JSON.stringify(buildIndex(manifest, input.ref)),
  );
  await fs.writeFile(
    path.join(layout, "oci-layout"),
    JSON.stringify({ imageLayoutVersion: "1.0.0" }),
  );

  const archivePath = path.join(input.workDir, "image.tar");
  const archived = await runCommand(
    "tar",
    ["--create", "--file", archivePath, "--directory", layout, "oci-layout", "index.json", "blobs"],
    120_000,
  );
  if (archived.code !== 0)
    throw new Error(`tar of the OCI layout failed: ${archived.stderr.trim()}`);
  await fs.rm(layout, { recursive: true, force: true });
  return { archivePath, manifestDigest: manifest.digest, chainId: chainId(diffIds) };
}
