import { describe, expect, it } from "vitest";
import { writeCpioArchive } from "./cpio-archive";
import { guestInitScript } from "./guest-init";
import {
  hasPvhEntry,
  moduleDependencies,
  pickKernelPackage,
  resolveModuleOrder,
} from "./guest-kernel";
import { initramfsEntries } from "./microvm-assets";

describe("pickKernelPackage", () => {
  it("takes the generic kernel the metapackage depends on, never the cloud one", () => {
    const out = "linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n";
    expect(pickKernelPackage(out)).toBe("linux-image-6.1.0-56-amd64");
    expect(pickKernelPackage("x\n  Depends: linux-image-6.1.0-56-cloud-amd64\n")).toBeNull();
  });
});

describe("module resolution", () => {
  it("reads depends= from .modinfo", () => {
    const ko = Buffer.from("\0license=GPL\0depends=virtio,9pnet,virtio-ring\0name=9pnet_virtio\0");
    expect(moduleDependencies(ko)).toEqual(["virtio", "9pnet", "virtio_ring"]);
    expect(moduleDependencies(Buffer.from("\0depends=\0"))).toEqual([]);
  });

  it("orders dependencies first, once each, without builtins", () => {
    const deps: Record<string, string[]> = {
      virtio_mmio: ["virtio", "virtio_ring"],
      virtio: ["virtio_ring"],
      virtio_ring: [],
      "9p": ["9pnet", "fscache", "netfs"],
      fscache: ["netfs"],
      netfs: [],
      "9pnet": [],
    };
    expect(
      resolveModuleOrder(
        ["virtio_mmio", "9p"],
        (n) => deps[n],
        (n) => n === "fscache",
      ),
    ).toEqual(["virtio_ring", "virtio", "virtio_mmio", "9pnet", "netfs", "9p"]);
  });

  it("refuses a cycle", () => {
    expect(() =>
      resolveModuleOrder(
        ["a"],
        (n) => (n === "a" ? ["b"] : ["a"]),
        () => false,
      ),
    ).toThrow(/cycle/);
  });
});

describe("hasPvhEntry", () => {
  it("finds the Xen PHYS32_ENTRY note in a PT_NOTE segment", () => {
    const elf = Buffer.alloc(256);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf[4] = 2;
    elf.writeBigUInt64LE(64n, 32);
    elf.writeUInt16LE(56, 54);
    elf.writeUInt16LE(1, 56);
    elf.writeUInt32LE(4, 64); // PT_NOTE
    elf.writeBigUInt64LE(128n, 64 + 8); // p_offset
    elf.writeBigUInt64LE(20n, 64 + 32); // p_filesz
    elf.writeUInt32LE(4, 128);
    elf.writeUInt32LE(4, 132);
    elf.writeUInt32LE(18, 136);
    elf.write("Xen\0", 140, "latin1");
    expect(hasPvhEntry(elf)).toBe(true);
    elf.writeUInt32LE(17, 136);
    expect(hasPvhEntry(elf)).toBe(false);
    expect(hasPvhEntry(Buffer.from("MZ not an elf"))).toBe(false);
  });
});

describe("initramfs", () => {
  const entries = initramfsEntries({
    busybox: Buffer.from("busybox"),
    helpers: { resume: Buffer.from("resume"), terminal: Buffer.from("terminal") },
    applets: ["sh", "mount"],
    modules: [
      { name: "virtio_ring", data: Buffer.from("a") },
      { name: "9p", data: Buffer.from("b") },
    ],
  });

  it("holds init, busybox and its applets, the modules and a console node, parents first", () => {
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "init",
        "bin/busybox",
        "bin/sh",
        "bin/mount",
        "bin/sbpg-resume",
        "bin/sbpg-term",
        "lib/modules/virtio_ring.ko",
        "lib/modules/9p.ko",
        "dev/console",
      ]),
    );
    for (const [i, p] of paths.entries()) {
      const parent = p.split("/").slice(0, -1).join("/");
      if (parent) expect(paths.indexOf(parent), p).toBeLessThan(i);
    }
  });

  it("loads the modules in the given order", () => {
    const init = guestInitScript(["virtio_ring.ko", "9p.ko"]);
    expect(init).toContain("for m in virtio_ring.ko 9p.ko; do");
    expect(init.startsWith("#!/bin/busybox sh\n")).toBe(true);
  });

  it("writes newc headers with 4-byte alignment and a trailer", () => {
    const archive = writeCpioArchive([
      { type: "dir", path: "bin" },
      { type: "file", path: "/bin/x", data: Buffer.from("hello"), mode: 0o755 },
      { type: "symlink", path: "bin/y", target: "x" },
      { type: "chardev", path: "dev/console", major: 5, minor: 1 },
    ]);
    const text = archive.toString("latin1");
    expect(text.startsWith("070701")).toBe(true);
    expect(archive.length % 4).toBe(0);
    expect(text).toContain("TRAILER!!!\0");
    // The file header: mode 100755, size 5, name "bin/x" without the leading slash.
    const at = text.indexOf("bin/x\0");
    const header = text.slice(at - 110, at);
    expect(header.slice(14, 22)).toBe((0o100755).toString(16).padStart(8, "0"));
    expect(header.slice(54, 62)).toBe("00000005");
    // 110 + 6 bytes of name is already 4-aligned, so the body follows at once.
    expect(text.slice(at + 6, at + 11)).toBe("hello");
  });
});
