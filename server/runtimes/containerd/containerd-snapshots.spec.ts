// Snapshot mounts, from ctr's JSON to mount(8) arguments.
import { describe, expect, it } from "vitest";
import { mountArgs, parseSnapshotMounts } from "./containerd-snapshots";

describe("snapshot mounts", () => {
  it("turns a single-layer view (a read-only bind) into one mount call", () => {
    const [mount] = parseSnapshotMounts(
      '[{"Type":"bind","Source":"/r/snapshots/1/fs","Options":["ro","rbind"]}]',
    );
    expect(mountArgs(mount, "/b/rootfs")).toEqual([
      "-t",
      "bind",
      "-o",
      "ro,rbind",
      "/r/snapshots/1/fs",
      "/b/rootfs",
    ]);
  });

  it("keeps an overlay's lowerdir list intact", () => {
    const [mount] = parseSnapshotMounts(
      '[{"Type":"overlay","Source":"overlay","Options":["lowerdir=/s/2/fs:/s/1/fs"]}]',
    );
    expect(mountArgs(mount, "/t")).toEqual([
      "-t",
      "overlay",
      "-o",
      "lowerdir=/s/2/fs:/s/1/fs",
      "overlay",
      "/t",
    ]);
  });

  it("omits -o without options and rejects what is not a mount list", () => {
    const [mount] = parseSnapshotMounts('[{"Type":"tmpfs","Source":"tmpfs","Options":null}]');
    expect(mountArgs(mount, "/t")).toEqual(["-t", "tmpfs", "tmpfs", "/t"]);
    expect(() => parseSnapshotMounts('{"Type":"bind"}')).toThrow();
  });
});
