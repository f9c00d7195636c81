// `npm run images`: builds every known image into the cache (skips ones already built unless --force).
import { loadConfig } from "../config/env";
import { buildImage } from "./image-builder";
import { busyboxRecipe } from "./busybox-image";
import { ImageStore } from "./image-store";
import { formatBytes } from "../engine/output-log";

const force = process.argv.includes("--force");
const store = new ImageStore(loadConfig().cacheDir);

const recipes = { busybox: busyboxRecipe };

for (const [name, recipe] of Object.entries(recipes)) {
  const existing = await store.manifest(name);
  if (existing && !force) {
    console.log(
      `image ${name}: built ${existing.builtAt} (${formatBytes(existing.sizeBytes)}), kept`,
    );
    continue;
  }
  const started = Date.now();
  const manifest = await buildImage(await recipe(), store.dir(name));
  console.log(
    `image ${name}: built in ${Date.now() - started} ms, ${manifest.files} files, ${formatBytes(manifest.sizeBytes)}`,
  );
}
