import { describe, expect, it } from "vitest";
import { parseMountinfo, readHostView } from "./host-view";

describe("parseMountinfo", () => {
  it("reads mount point, type, source and options, optional fields and escapes included", () => {
    const text = [
      "612 540 0:52 / / ro,relatime master:1 - overlay overlay rw,lowerdir=/a",
      "613 612 0:55 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=16384k,uid=100000",
      "614 612 0:56 / /with\\040space rw shared:2 master:3 - tmpfs my\\040src rw",
      "",
    ].join("\n");
    expect(parseMountinfo(text, 42)).toEqual([
      {
        pid: 42,
        mountPoint: "/",
        fsType: "overlay",
        source: "overlay",
        options: "ro,relatime rw,lowerdir=/a",
      },
      {
        pid: 42,
        mountPoint: "/tmp",
        fsType: "tmpfs",
        source: "tmpfs",
        options: "rw,nosuid,nodev rw,size=16384k,uid=100000",
      },
      { pid: 42, mountPoint: "/with space", fsType: "tmpfs", source: "my src", options: "rw rw" },
    ]);
  });
});

describe("readHostView", () => {
  it("shows no mounts for a process in the server's own mount namespace (a VMM's would be the host's)", async () => {
    const view = await readHostView([process.pid], null);
    expect(view.processes).toEqual([
      { pid: process.pid, command: expect.stringContaining("node") },
    ]);
    expect(view.mounts).toEqual([]);
  });
});
