// Each sandbox's rootfs: a read-only view snapshot of the imported image, mounted where its OCI spec points.
import { z } from "zod";
import { runCommand } from "../process-exit";
import type { ContainerdDaemon } from "./containerd-daemon";

const SnapshotMountsSchema = z.array(
  z.object({ Type: z.string(), Source: z.string(), Options: z.array(z.string()).nullable() }),
);
export type SnapshotMount = z.infer<typeof SnapshotMountsSchema>[number];

/** Parses `ctr snapshots view --mounts` (JSON, unlike the mount(8) line `--target` prints). */
export function parseSnapshotMounts(json: string): SnapshotMount[] {
  return SnapshotMountsSchema.parse(JSON.parse(json));
}

/** mount(8) arguments; util-linux accepts containerd's "bind" type with ro,rbind in one call. */
export function mountArgs(mount: SnapshotMount, target: string): string[] {
  const options = mount.Options ?? [];
  return [
    "-t",
    mount.Type,
    ...(options.length ? ["-o", options.join(",")] : []),
    mount.Source,
    target,
  ];
}

/** Creates the view `key` of the committed snapshot `parent` and mounts it on `target`. */
export async function mountSnapshotView(
  daemon: ContainerdDaemon,
  key: string,
  parent: string,
  target: string,
): Promise<void> {
  const view = await daemon.ctr(["snapshots", "view", "--mounts", key, parent]);
  if (view.code !== 0) throw new Error(`snapshot view failed: ${view.stderr.trim()}`);
  for (const mount of parseSnapshotMounts(view.stdout)) {
    const mounted = await runCommand("mount", mountArgs(mount, target), 10_000);
    if (mounted.code !== 0)
      throw new Error(`mounting the rootfs snapshot failed: ${mounted.stderr.trim()}`);
  }
}

/** Idempotent: an unmounted target or a missing snapshot is fine. */
export async function removeSnapshotView(
  daemon: ContainerdDaemon,
  key: string,
  target: string,
): Promise<void> {
  // Lazy unmount: a shim that is still being torn down must not keep the rootfs (and the snapshot) pinned.
  await runCommand("umount", ["--lazy", target], 10_000);
  await daemon.ctr(["snapshots", "rm", key]);
}
