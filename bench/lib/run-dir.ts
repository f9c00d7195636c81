// Where a benchmark puts the state folder of the server it starts in-process.
import fs from "node:fs/promises";
import os from "node:os";

/** /run is a tmpfs like the playground's default state folder; fall back to the temp folder elsewhere. */
export async function writableRunDir(): Promise<string> {
  return fs.access("/run", fs.constants.W_OK).then(
    () => "/run",
    () => os.tmpdir(),
  );
}
