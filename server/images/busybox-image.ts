// The default image: Debian's statically linked busybox and its applets, nothing else; other images build on it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs/promises";
import type { ImageRecipe } from "./image-builder";

const run = promisify(execFile);

export const busyboxCandidates = ["/bin/busybox", "/usr/bin/busybox"];

export async function busyboxRecipe(): Promise<ImageRecipe> {
  const base = await busyboxBase({ name: "Sandbox Playground busybox", id: "busybox" });
  return { name: "busybox", source: base.source, ...base.layout };
}

/** What every image starts from: busybox and its applets in /bin, the usual folders, a minimal /etc. */
export async function busyboxBase(os: {
  name: string;
  id: string;
}): Promise<{ source: string; layout: Omit<ImageRecipe, "name" | "source"> }> {
  const binary = await findStaticBusybox();
  const { stdout } = await run(binary, ["--list"]);
  const applets = stdout.split("\n").filter((a) => a && a !== "busybox");
  return {
    source: `${binary} (Debian busybox-static)`,
    layout: {
      // run/vaccel: the mount point of a vAccel run's socket folder, run/sbpg of a gVisor session's seccomp helper
      // (seccomp-exec.ts); the root is read-only, and gVisor's gofer cannot create a mount point inside a tmpfs of
      // the Sentry's.
      directories: [
        "proc",
        "sys",
        "dev",
        "tmp",
        "etc",
        "root",
        "home",
        "var",
        "run",
        "run/vaccel",
        "run/sbpg",
      ],
      files: [{ from: binary, to: "bin/busybox", mode: 0o755 }],
      symlinks: applets.map((a) => ({ target: "busybox", path: `bin/${a}` })),
      generated: [
        {
          path: "etc/passwd",
          content: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
        },
        { path: "etc/group", content: "root:x:0:\nnogroup:x:65534:\n" },
        { path: "etc/hostname", content: "sandbox\n" },
        { path: "etc/os-release", content: `NAME="${os.name}"\nID=${os.id}\n` },
      ],
    },
  };
}

/** The image must not depend on the host's libraries, so only a static busybox will do. */
async function findStaticBusybox(): Promise<string> {
  for (const candidate of busyboxCandidates) {
    try {
      const head = await fs.readFile(candidate);
      if (!isStaticElf(head)) continue;
      return candidate;
    } catch {
      continue;
    }
  }
  throw new Error(
    "No statically linked busybox found: install Debian's busybox-static (apt-get install busybox-static).",
  );
}

/** A static ELF has no PT_INTERP program header. */
export function isStaticElf(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > elf.length) return false;
    if (elf.readUInt32LE(at) === 3) return false;
  }
  return true;
}
