// Sandboxes see an image through a read-only bind mount under the state folder, never at its cache path:
// the cache may sit below a folder only root can enter (a 0700 home or mktemp folder), and a sandbox's
// root is mapped to an unprivileged host user that could not walk that path.
import fs from "node:fs/promises";
import path from "node:path";
import { runCommand } from "../runtimes/process-exit";

export class ImageMounts {
  private readonly mounted = new Map<string, Promise<string>>();
  private closed = false;

  constructor(readonly dir: string) {}

  /** Bind-mounts the image's rootfs once (read-only) and returns where sandboxes find it. */
  expose(name: string, rootfsPath: string): Promise<string> {
    // A probe still running while the server stops must not mount into a folder being removed.
    if (this.closed)
      return Promise.reject(new Error("the image mounts are closed: the server is stopping"));
    let pending = this.mounted.get(name);
    if (!pending) {
      pending = this.mount(name, rootfsPath).catch((err: unknown) => {
        this.mounted.delete(name);
        throw err;
      });
      this.mounted.set(name, pending);
    }
    return pending;
  }

  /** Stops handing out mounts, then releases them all (server shutdown). */
  async close(): Promise<string[]> {
    this.closed = true;
    return this.release();
  }

  /** Unmounts every image mount under the folder, ours or a crashed predecessor's; returns what it removed. */
  async release(): Promise<string[]> {
    this.mounted.clear();
    const removed: string[] = [];
    const points = (await mountPoints())
      .filter((p) => p.startsWith(`${this.dir}/`))
      .sort()
      .reverse();
    for (const point of points) {
      const result = await runCommand("umount", ["--lazy", point]);
      if (result.code !== 0) throw new Error(`umount ${point}: ${result.stderr.trim()}`);
      removed.push(`mount ${point}`);
    }
    await fs.rm(this.dir, { recursive: true, force: true });
    return removed;
  }

  private async mount(name: string, rootfsPath: string): Promise<string> {
    const target = path.join(this.dir, name);
    if ((await mountPoints()).includes(target)) return target;
    await fs.mkdir(target, { recursive: true, mode: 0o755 });
    await fs.chmod(this.dir, 0o755);
    for (const args of [
      ["--bind", rootfsPath, target],
      ["-o", "remount,bind,ro", target],
    ]) {
      const result = await runCommand("mount", args);
      if (result.code !== 0) throw new Error(`mount ${args.join(" ")}: ${result.stderr.trim()}`);
    }
    return target;
  }
}

/** Mount points of this mount namespace, unescaped (mountinfo writes a space as \040). */
export async function mountPoints(): Promise<string[]> {
  const info = await fs.readFile("/proc/self/mountinfo", "utf8");
  return info
    .split("\n")
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(" ")[4] ?? ""));
}

export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
