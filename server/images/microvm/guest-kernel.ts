// Debian's generic kernel for the guest, unpacked into the cache: an uncompressed vmlinux and the modules init needs.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * What the init loads; their dependencies come along. virtio_mmio: microvm's devices are virtio-mmio;
 * 9pnet_virtio + 9p: the root filesystem; virtio_console: the control port.
 */
export const rootModules = ["virtio_mmio", "9pnet_virtio", "9p", "virtio_console"];

/**
 * The generic flavour: the cloud kernel has no 9p. linux-image-amd64 is the metapackage that follows
 * the current ABI of this Debian release, so its dependency names the kernel to fetch.
 */
export async function currentKernelPackage(): Promise<string> {
  const { stdout } = await run("apt-cache", ["depends", "linux-image-amd64"]);
  const name = pickKernelPackage(stdout);
  if (!name)
    throw new Error(
      "apt-cache names no linux-image-<version>-amd64 for linux-image-amd64: run apt-get update",
    );
  return name;
}

export function pickKernelPackage(aptCacheDepends: string): string | null {
  for (const line of aptCacheDepends.split("\n")) {
    const match = /^\s*Depends:\s*(linux-image-\d[\w.+-]*-amd64)(-unsigned)?\s*$/.exec(line);
    if (match && !match[1].includes("cloud")) return match[1];
  }
  return null;
}

/** apt-get download + dpkg -x: nothing is installed on the host. Returns the unpacked tree. */
export async function unpackKernelPackage(pkg: string, workDir: string): Promise<string> {
  await fs.mkdir(workDir, { recursive: true });
  // Downloading as root into a folder _apt cannot read is fine here; this silences apt's warning about it.
  await run("apt-get", ["download", "-o", "APT::Sandbox::User=root", pkg], { cwd: workDir });
  const deb = (await fs.readdir(workDir)).find(
    (f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"),
  );
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${workDir}`);
  const tree = path.join(workDir, "unpacked");
  await run("dpkg", ["-x", path.join(workDir, deb), tree], { maxBuffer: 16 * 1024 * 1024 });
  return tree;
}

export interface ModuleFile {
  /** Canonical name: dashes as underscores, as the kernel spells it. */
  name: string;
  path: string;
  compression: "none" | "xz";
}

/** The package carries no modules.dep (depmod runs at install), so each module's .modinfo names its dependencies. */
export function moduleDependencies(ko: Buffer): string[] {
  const text = ko.toString("latin1");
  const match = /\0depends=([^\0]*)\0/.exec(text);
  return match && match[1] ? match[1].split(",").map(canonicalModuleName) : [];
}

export const canonicalModuleName = (name: string) => name.replace(/-/g, "_");

/** Load order for the roots: every dependency before its user, builtin modules left out. */
export function resolveModuleOrder(
  roots: string[],
  dependsOf: (name: string) => string[],
  isBuiltin: (name: string) => boolean,
): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.includes(name) || isBuiltin(name)) return;
    if (visiting.has(name)) throw new Error(`module dependency cycle at ${name}`);
    visiting.add(name);
    for (const dep of dependsOf(name)) visit(dep);
    visiting.delete(name);
    order.push(name);
  };
  for (const root of roots.map(canonicalModuleName)) visit(root);
  return order;
}

export async function indexModules(modulesDir: string): Promise<Map<string, ModuleFile>> {
  const index = new Map<string, ModuleFile>();
  for (const entry of await fs.readdir(modulesDir, { recursive: true })) {
    const match = /([^/]+)\.ko(\.xz)?$/.exec(entry);
    if (!match) continue;
    const name = canonicalModuleName(match[1]);
    index.set(name, {
      name,
      path: path.join(modulesDir, entry),
      compression: match[2] ? "xz" : "none",
    });
  }
  return index;
}

export async function readModule(file: ModuleFile): Promise<Buffer> {
  return file.compression === "xz"
    ? decompressXz(await fs.readFile(file.path))
    : fs.readFile(file.path);
}

/** Node's zlib has no xz; Debian's xz-utils does. --single-stream ignores whatever follows the stream. */
export function decompressXz(input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("xz", ["-dc", "--single-stream"], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.once("error", (e) =>
      reject(new Error(`xz could not run (apt-get install xz-utils): ${e.message}`)),
    );
    child.once("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(new Error(`xz failed: ${Buffer.concat(err).toString().trim()}`)),
    );
    // xz may stop reading early (--single-stream); the broken pipe that follows is not an error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

const xzMagic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/**
 * The bzImage decompresses itself before the kernel starts, and under TCG that xz pass costs ~2.5 s of
 * every boot (measured). Debian builds with CONFIG_PVH, so QEMU can start the ELF vmlinux directly.
 * Null when the payload is not xz or is not an ELF with a PVH entry: the bzImage then boots as it is.
 */
export async function extractPvhVmlinux(bzImage: Buffer): Promise<Buffer | null> {
  const at = bzImage.indexOf(xzMagic);
  if (at < 0) return null;
  const elf = await decompressXz(bzImage.subarray(at)).catch(() => null);
  return elf && hasPvhEntry(elf) ? elf : null;
}

/** XEN_ELFNOTE_PHYS32_ENTRY (18) in a PT_NOTE segment is what QEMU needs to boot an ELF kernel. */
export function hasPvhEntry(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > elf.length || elf.readUInt32LE(ph) !== 4) continue;
    const start = Number(elf.readBigUInt64LE(ph + 8));
    const end = Math.min(elf.length, start + Number(elf.readBigUInt64LE(ph + 32)));
    for (let note = start; note + 12 <= end;) {
      const namesz = elf.readUInt32LE(note);
      const descsz = elf.readUInt32LE(note + 4);
      const type = elf.readUInt32LE(note + 8);
      const name = elf.toString("latin1", note + 12, note + 12 + Math.max(0, namesz - 1));
      if (name === "Xen" && type === 18) return true;
      note += 12 + align4(namesz) + align4(descsz);
    }
  }
  return false;
}

const align4 = (n: number) => (n + 3) & ~3;
