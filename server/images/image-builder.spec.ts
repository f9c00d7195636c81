import { mkdtemp, readFile, readlink, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildImage, recipeDigest } from "./image-builder";
import { ImageStore } from "./image-store";

describe("buildImage", () => {
  it("lays out files, links and generated files, and writes a manifest the store reads", async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), "sbpg-img-"));
    const store = new ImageStore(cache);
    const manifest = await buildImage(
      {
        name: "busybox",
        source: "test",
        files: [{ from: process.execPath, to: "bin/tool", mode: 0o755 }],
        symlinks: [{ target: "tool", path: "bin/alias" }],
        directories: ["tmp"],
        generated: [{ path: "etc/hostname", content: "sandbox\n" }],
      },
      store.dir("busybox"),
    );
    const rootfs = path.join(store.dir("busybox"), "rootfs");
    expect(await readlink(path.join(rootfs, "bin/alias"))).toBe("tool");
    expect(await readFile(path.join(rootfs, "etc/hostname"), "utf8")).toBe("sandbox\n");
    expect((await stat(path.join(rootfs, "bin/tool"))).mode & 0o777).toBe(0o755);
    expect(manifest.sizeBytes).toBeGreaterThan(1000);
    expect(await store.resolve("busybox")).toMatchObject({ name: "busybox", rootfsPath: rootfs });
    expect(await store.resolve("ubuntu")).toBeNull();
  });

  it("keeps every path inside the image", async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), "sbpg-img-"));
    const dir = path.join(cache, "x");
    await buildImage(
      {
        name: "x",
        source: "t",
        files: [],
        symlinks: [],
        directories: [],
        generated: [{ path: "../../etc/evil", content: "x" }],
      },
      dir,
    );
    expect(await readFile(path.join(dir, "rootfs/etc/evil"), "utf8")).toBe("x");
  });

  it("digests a recipe so that a changed input means a rebuild", async () => {
    const recipe = (content: string) => ({
      name: "x",
      source: "t",
      files: [{ from: process.execPath, to: "bin/node" }],
      symlinks: [],
      directories: ["tmp"],
      generated: [{ path: "etc/hostname", content }],
    });
    expect(await recipeDigest(recipe("a"))).toBe(await recipeDigest(recipe("a")));
    expect(await recipeDigest(recipe("a"))).not.toBe(await recipeDigest(recipe("b")));
  });
});
