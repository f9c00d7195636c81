// Finds a program the way containerd does when it resolves a shim: on PATH, then in extra folders.
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

export async function findExecutable(
  name: string,
  extraDirs: string[] = [],
  searchPath: string = process.env.PATH ?? "",
): Promise<string | null> {
  if (name.includes("/")) return (await isExecutable(name)) ? name : null;
  for (const dir of [...searchPath.split(":").filter(Boolean), ...extraDirs]) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
