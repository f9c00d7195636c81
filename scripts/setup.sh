#!/usr/bin/env bash
# Setup for `npm start` and CI: host packages (Debian), npm packages, sandbox images. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the playground uses: the runtimes (containerd brings ctr and the runc v2 shim), a static
# busybox for images, Chromium for end-to-end tests.
host_packages=(runc runsc containerd busybox-static)
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
