#!/usr/bin/env bash
# Setup for `npm start` and CI: host packages (Debian), npm packages, sandbox images. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the playground uses: the runtimes (containerd brings ctr and the runc v2 shim; QEMU runs the
# microVM), a static busybox for images, xz for the guest kernel's modules, a C++ toolchain for better-sqlite3
# (the workshop database; built from source by npm since its prebuilt download is offline), Chromium for end-to-end tests.
host_packages=(runc runsc containerd busybox-static qemu-system-x86 xz-utils)
# gcc builds the microVM's resume helper (server/images/microvm/guest-resume.c) into its initramfs.
command -v gcc >/dev/null || host_packages+=(gcc)
command -v g++ >/dev/null || host_packages+=(g++)
command -v make >/dev/null || host_packages+=(make)
command -v python3 >/dev/null || host_packages+=(python3)
test_packages=(chromium)

missing=()
for pkg in "${host_packages[@]}" ${SBPG_WITH_TEST_PACKAGES:+"${test_packages[@]}"}; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: cannot install packages here (need root on Debian). Please install: ${missing[*]}" >&2
    echo "setup: e.g. sudo apt-get install ${missing[*]} — the playground starts with what it has and shows what is missing." >&2
  fi
fi

# onnxruntime's install step downloads CUDA binaries, which fails offline; the CPU build ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
fi

echo "setup: building sandbox images into .cache/"
node --import tsx server/images/build-images.ts

# The guest kernel comes from Debian's linux-image package (apt-get download + dpkg -x into .cache/, nothing
# installed), which needs apt's package lists.
if [ ! -f .cache/microvm/manifest.json ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null &&
  [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
  apt-get update -qq
fi
echo "setup: building the microVM guest kernel and initramfs into .cache/microvm/"
if ! node --import tsx server/images/microvm/build-microvm.ts; then
  echo "setup: the microVM assets could not be built; the microvm runtime will show as unavailable with the reason." >&2
fi
# One cold boot now, saved as the snapshot that microVMs are restored from (skipped with SBPG_MICROVM_SNAPSHOT=off).
if [ "${SBPG_MICROVM_SNAPSHOT:-on}" = on ]; then
  echo "setup: saving the microVM snapshot into .cache/microvm-snapshots/"
  if ! node --import tsx server/runtimes/microvm/build-snapshot.ts; then
    echo "setup: the microVM snapshot could not be saved; the server tries again in the background and boots cold meanwhile." >&2
  fi
fi
