// `node --import tsx server/images/microvm/build-microvm.ts [--force]`: the microVM guest kernel and initramfs.
import { loadConfig } from "../../config/env";
import { buildMicrovmAssets } from "./microvm-assets";

const started = Date.now();
const { assets, built } = await buildMicrovmAssets(loadConfig().cacheDir, {
  force: process.argv.includes("--force"),
  log: (line) => console.log(line),
});
const { kernelVersion, kernelFormat, modules, builtAt } = assets.manifest;
console.log(
  built
    ? `microvm: built kernel ${kernelVersion} (${kernelFormat}), modules ${modules.join(" ")} in ${Date.now() - started} ms`
    : `microvm: kernel ${kernelVersion} (${kernelFormat}) built ${builtAt}, kept`,
);
