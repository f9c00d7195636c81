// OCI image archives built from a folder: valid layout, reproducible digests.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../process-exit";
import {
  buildImageConfig,
  buildIndex,
  buildManifest,
  chainId,
  mediaTypes,
  ociArchitecture,
  writeOciArchive,
} from "./oci-image-layout";

const sha = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

describe("OCI image layout", () => {
  it("names the image by the index's ref.name annotation and gives its platform", () => {
    const index = buildIndex(
      { mediaType: mediaTypes.manifest, digest: "sha256:m", size: 1 },
      "localhost/x:latest",
      "amd64",
    );
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: mediaTypes.index,
      manifests: [
        {
          mediaType: mediaTypes.manifest,
          digest: "sha256:m",
          size: 1,
          annotations: { "org.opencontainers.image.ref.name": "localhost/x:latest" },
          platform: { architecture: "amd64", os: "linux" },
        },
      ],
    });
  });

  it("builds config and manifest the way the image spec wants", () => {
    const config = buildImageConfig({
      diffIds: ["sha256:l"],
      created: "2026-01-01T00:00:00Z",
      labels: { a: "b" },
      architecture: "arm64",
    });
    expect(config).toMatchObject({
      architecture: "arm64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: ["sha256:l"] },
      config: { Labels: { a: "b" } },
    });
    const layer = { mediaType: mediaTypes.layer, digest: "sha256:l", size: 2 };
    const cfg = { mediaType: mediaTypes.config, digest: "sha256:c", size: 3 };
    expect(buildManifest(cfg, [layer])).toEqual({
      schemaVersion: 2,
      mediaType: mediaTypes.manifest,
      config: cfg,
      layers: [layer],
    });
  });

  it("maps Node's architecture names to Go's", () => {
    expect(ociArchitecture("x64")).toBe("amd64");
    expect(ociArchitecture("arm64")).toBe("arm64");
  });

  it("computes chain IDs: the first layer's is its diff ID", () => {
    expect(chainId(["sha256:a"])).toBe("sha256:a");
    expect(chainId(["sha256:a", "sha256:b"])).toBe(sha("sha256:a sha256:b"));
    expect(chainId(["sha256:a", "sha256:b", "sha256:c"])).toBe(
      sha(`${sha("sha256:a sha256:b")} sha256:c`),
    );
  });

  describe("writeOciArchive", () => {
    let dir: string;
    let rootfs: string;

    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), "sbpg-oci-"));
      rootfs = path.join(dir, "rootfs");
      await fs.mkdir(path.join(rootfs, "bin"), { recursive: true });
      await fs.writeFile(path.join(rootfs, "bin", "tool"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
      await fs.symlink("tool", path.join(rootfs, "bin", "sh"));
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    const build = (name: string) =>
      writeOciArchive({
        rootfsPath: rootfs,
        ref: "localhost/sandbox-playground/t:latest",
        created: "2026-01-01T00:00:00.000Z",
        labels: { "sandbox-playground.source-manifest": "sha256:s" },
        workDir: path.join(dir, name),
      });

    it("writes a layout whose blobs match their digests", async () => {
      await fs.mkdir(path.join(dir, "a"));
      const archive = await build("a");
      const out = path.join(dir, "a", "out");
      await fs.mkdir(out);
      expect((await runCommand("tar", ["-xf", archive.archivePath, "-C", out])).code).toBe(0);
      expect(JSON.parse(await fs.readFile(path.join(out, "oci-layout"), "utf8"))).toEqual({
        imageLayoutVersion: "1.0.0",
      });
      const index = JSON.parse(await fs.readFile(path.join(out, "index.json"), "utf8"));
      expect(index.manifests[0].digest).toBe(archive.manifestDigest);
      const blob = (digest: string) =>
        fs.readFile(path.join(out, "blobs", "sha256", digest.slice(7)));
      const manifestBytes = await blob(archive.manifestDigest);
      expect(`sha256:${createHash("sha256").update(manifestBytes).digest("hex")}`).toBe(
        archive.manifestDigest,
      );
      const manifest = JSON.parse(manifestBytes.toString());
      const layerBytes = await blob(manifest.layers[0].digest);
      expect(`sha256:${createHash("sha256").update(layerBytes).digest("hex")}`).toBe(
        manifest.layers[0].digest,
      );
      expect(layerBytes.length).toBe(manifest.layers[0].size);
      const config = JSON.parse((await blob(manifest.config.digest)).toString());
      expect(config.rootfs.diff_ids).toEqual([manifest.layers[0].digest]);
      expect(archive.chainId).toBe(manifest.layers[0].digest);
      const listing = await runCommand("tar", [
        "-tvf",
        path.join(out, "blobs", "sha256", manifest.layers[0].digest.slice(7)),
      ]);
      expect(listing.stdout).toMatch(/-rwxr-xr-x 0\/0 .* \.\/bin\/tool/);
      expect(listing.stdout).toMatch(/lrwxrwxrwx 0\/0 .* \.\/bin\/sh -> tool/);
    });

    it("gives the same digests for the same files, whatever their mtimes", async () => {
      await fs.mkdir(path.join(dir, "b"));
      await fs.mkdir(path.join(dir, "c"));
      const first = await build("b");
      await fs.utimes(
        path.join(rootfs, "bin", "tool"),
        new Date(),
        new Date(Date.now() - 86_400_000),
      );
      const second = await build("c");
      expect(second.manifestDigest).toBe(first.manifestDigest);
      await fs.writeFile(path.join(rootfs, "bin", "tool"), "changed\n");
      await fs.mkdir(path.join(dir, "d"));
      expect((await build("d")).manifestDigest).not.toBe(first.manifestDigest);
    });
  });
});
