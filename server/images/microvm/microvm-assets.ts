// The microVM's guest kernel and initramfs in .cache/microvm: built once at setup, read by the driver.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { busyboxCandidates, isStaticElf } from "../busybox-image";
import { writeCpioArchive, type CpioEntry } from "./cpio-archive";
import { guestInitScript, guestPaths } from "./guest-init";
import { resumeHelper, terminalHelper } from "./guest-protocol";
import { compileGuestHelpers, guestHelpersDigest, type GuestHelpers } from "./guest-helpers";
import {
  currentKernelPackage,
  extractPvhVmlinux,
  indexModules,
  moduleDependencies,
  readModule,
  resolveModuleOrder,
  rootModules,
  unpackKernelPackage,
} from "./guest-kernel";

const run = promisify(execFile);

export const MicrovmManifestSchema = z.object({
  kernelPackage: z.string(),
  kernelVersion: z.string(),
  /** File names inside the assets folder. */
  kernel: z.string(),
  /** "elf-pvh": the uncompressed vmlinux, started at its PVH entry; "bzimage": as Debian ships it. */
  kernelFormat: z.enum(["elf-pvh", "bzimage"]),
  initramfs: z.string(),
  modules: z.array(z.string()),
  busybox: z.string(),
  /**
   * The guest init and static helpers the initramfs carries: a change to either rebuilds the assets, or VMs would
   * run a stale init.
   */
  initDigest: z.string().default(""),
  builtAt: z.string(),
});
export type MicrovmManifest = z.infer<typeof MicrovmManifestSchema>;

export interface MicrovmAssets {
  manifest: MicrovmManifest;
  kernelPath: string;
  initramfsPath: string;
}

export const microvmAssetsDir = (cacheDir: string) => path.join(cacheDir, "microvm");

/** The built assets, or null when setup has not built them (or a file went missing). */
export async function readMicrovmAssets(cacheDir: string): Promise<MicrovmAssets | null> {
  const dir = microvmAssetsDir(cacheDir);
  try {
    const manifest = MicrovmManifestSchema.parse(
      JSON.parse(await fs.readFile(path.join(dir, "manifest.json"), "utf8")),
    );
    const assets = {
      manifest,
      kernelPath: path.join(dir, manifest.kernel),
      initramfsPath: path.join(dir, manifest.initramfs),
    };
    await Promise.all([fs.access(assets.kernelPath), fs.access(assets.initramfsPath)]);
    return assets;
  } catch {
    return null;
  }
}

/**
 * Idempotent: kept as built unless force. Builds in a staging folder renamed into place, so a half-built
 * set never shows; the downloaded package is deleted afterwards (70 MB, and apt-get can fetch it again).
 */
export async function buildMicrovmAssets(
  cacheDir: string,
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<{ assets: MicrovmAssets; built: boolean }> {
  const log = options.log ?? (() => undefined);
  const existing = await readMicrovmAssets(cacheDir);
  const helperDigest = await guestHelpersDigest();
  const current =
    existing &&
    existing.manifest.initDigest === initDigest(existing.manifest.modules, helperDigest);
  if (existing && current && !options.force) return { assets: existing, built: false };

  const dir = microvmAssetsDir(cacheDir);
  const staging = `${dir}.building-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    const kernelPackage = await currentKernelPackage();
    log(`microvm: fetching ${kernelPackage} (apt-get download, unpacked with dpkg -x)`);
    const tree = await unpackKernelPackage(kernelPackage, path.join(staging, "package"));
    const kernelVersion = kernelPackage.replace(/^linux-image-/, "");
    const bzImage = await fs.readFile(path.join(tree, "boot", `vmlinuz-${kernelVersion}`));
    const vmlinux = await extractPvhVmlinux(bzImage);
    const kernel = vmlinux ? "vmlinux" : "vmlinuz";
    await fs.writeFile(path.join(staging, kernel), vmlinux ?? bzImage);

    const modulesDir = path.join(tree, "lib", "modules", kernelVersion);
    const index = await indexModules(modulesDir);
    const builtin = await fs
      .readFile(path.join(modulesDir, "modules.builtin"), "utf8")
      .catch(() => "");
    const modules = new Map<string, Buffer>();
    const load = async (name: string) => {
      const file = index.get(name);
      if (!file) throw new Error(`module ${name} is not in ${kernelPackage}`);
      modules.set(name, await readModule(file));
    };
    // Read every candidate first: the resolver is synchronous, the .ko files are not.
    const pending = [...rootModules];
    while (pending.length) {
      const name = pending.pop() as string;
      if (modules.has(name) || builtin.includes(`/${name}.ko`)) continue;
      await load(name);
      pending.push(...moduleDependencies(modules.get(name) as Buffer));
    }
    const order = resolveModuleOrder(
      rootModules,
      (name) => moduleDependencies(modules.get(name) as Buffer),
      (name) => !modules.has(name),
    );

    const busybox = await findStaticBusybox();
    const { stdout } = await run(busybox, ["--list"]);
    const archive = writeCpioArchive(
      initramfsEntries({
        busybox: await fs.readFile(busybox),
        helpers: await compileGuestHelpers(),
        applets: stdout.split("\n").filter((a) => a && a !== "busybox"),
        modules: order.map((name) => ({ name, data: modules.get(name) as Buffer })),
      }),
    );
    // Uncompressed: the kernel copies it as it is, where a gzip pass would be emulated instruction by instruction.
    await fs.writeFile(path.join(staging, "initramfs.cpio"), archive);

    const manifest: MicrovmManifest = {
      kernelPackage,
      kernelVersion,
      kernel,
      kernelFormat: vmlinux ? "elf-pvh" : "bzimage",
      initramfs: "initramfs.cpio",
      modules: order,
      busybox,
      initDigest: initDigest(order, helperDigest),
      builtAt: new Date().toISOString(),
    };
    await fs.writeFile(path.join(staging, "manifest.json"), JSON.stringify(manifest, null, 2));
    await fs.rm(path.join(staging, "package"), { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(staging, dir);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  const assets = await readMicrovmAssets(cacheDir);
  if (!assets) throw new Error(`microvm assets were built but cannot be read in ${dir}`);
  return { assets, built: true };
}

export interface InitramfsInput {
  busybox: Buffer;
  /** The static helpers (guest-helpers.ts). */
  helpers: GuestHelpers;
  applets: string[];
  /** In load order. */
  modules: Array<{ name: string; data: Buffer }>;
}

/** Applets as symlinks in the archive rather than `busybox --install` at boot: every emulated ms counts. */
export function initramfsEntries(input: InitramfsInput): CpioEntry[] {
  const modulesDir = guestPaths.modules.slice(1);
  return [
    ...[
      "bin",
      "dev",
      "proc",
      "sys",
      "lib",
      modulesDir,
      guestPaths.newRoot,
      guestPaths.runShare,
      guestPaths.devTemplate,
    ].map((p): CpioEntry => ({ type: "dir", path: p })),
    // The kernel opens /dev/console for init before anything is mounted.
    { type: "chardev", path: "dev/console", major: 5, minor: 1, mode: 0o600 },
    { type: "file", path: "bin/busybox", data: input.busybox, mode: 0o755 },
    { type: "file", path: `bin/${resumeHelper}`, data: input.helpers.resume, mode: 0o755 },
    { type: "file", path: `bin/${terminalHelper}`, data: input.helpers.terminal, mode: 0o755 },
    ...input.applets.map((a): CpioEntry => ({
      type: "symlink",
      path: `bin/${a}`,
      target: "busybox",
    })),
    ...input.modules.map((m): CpioEntry => ({
      type: "file",
      path: `${modulesDir}/${m.name}.ko`,
      data: m.data,
    })),
    {
      type: "file",
      path: "init",
      data: Buffer.from(guestInitScript(input.modules.map((m) => `${m.name}.ko`))),
      mode: 0o755,
    },
  ];
}

async function findStaticBusybox(): Promise<string> {
  for (const candidate of busyboxCandidates) {
    const head = await fs.readFile(candidate).catch(() => null);
    if (head && isStaticElf(head)) return candidate;
  }
  throw new Error("the initramfs needs a static busybox: apt-get install busybox-static");
}

export function initDigest(modules: string[], helperDigest: string): string {
  return createHash("sha256")
    .update(guestInitScript(modules.map((m) => `${m}.ko`)))
    .update(helperDigest)
    .digest("hex");
}
