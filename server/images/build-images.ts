// `npm run images`: builds every known image into the cache; one built from the same recipe is kept unless --force.
import { loadConfig } from "../config/env";
import { buildImage, recipeDigest, type ImageRecipe } from "./image-builder";
import { busyboxRecipe } from "./busybox-image";
import { nodeOnnxRecipe } from "./node-onnx-image";
import { ImageStore, type KnownImage } from "./image-store";
import { formatBytes } from "../engine/output-log";

const force = process.argv.includes("--force");
const store = new ImageStore(loadConfig().cacheDir);

/** required: false for an image only some tracks use; without it the host still runs, and shows why it is missing. */
const recipes: Record<KnownImage, { recipe: () => Promise<ImageRecipe>; required: boolean }> = {
  busybox: { recipe: busyboxRecipe, required: true },
  "node-onnx": { recipe: () => nodeOnnxRecipe(), required: false },
};

for (const [name, { recipe, required }] of Object.entries(recipes)) {
  const started = Date.now();
  let manifest;
  try {
    const planned = await recipe();
    const existing = await store.manifest(name);
    if (existing && !force && existing.recipeDigest === (await recipeDigest(planned))) {
      console.log(
        `image ${name}: built ${existing.builtAt} (${formatBytes(existing.sizeBytes)}) from the same recipe, kept`,
      );
      continue;
    }
    manifest = await buildImage(planned, store.dir(name));
  } catch (err) {
    if (required) throw err;
    console.error(`image ${name}: not built: ${err instanceof Error ? err.message : String(err)}`);
    continue;
  }
  console.log(
    `image ${name}: built in ${Date.now() - started} ms, ${manifest.files} files, ${formatBytes(manifest.sizeBytes)}`,
  );
}
