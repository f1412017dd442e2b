#!/usr/bin/env bash
# Makes a sysroot with Debian's arm64 Node.js (nodejs:arm64, libnode108:arm64, the arch-all JS modules it loads at
# start, and the arm64 libraries they need), fetched with `apt-get download` and unpacked with `dpkg-deb -x`, so that
#   qemu-aarch64 -L SYSROOT -E LD_LIBRARY_PATH=... SYSROOT/usr/bin/node
# runs arm64 Node here. Idempotent. Prints the sysroot path.
# Usage: device/cross/arm64-node-sysroot.sh [dir]   (default .cache/arm64-node)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-$root/.cache/arm64-node}"
sysroot="$dir/sysroot"
if [ ! -x "$sysroot/usr/bin/node" ]; then
  mkdir -p "$dir/debs" "$sysroot"
  (cd "$dir/debs" && apt-get download nodejs:arm64 libnode108:arm64 libbrotli1:arm64 libc-ares2:arm64 libicu72:arm64 \
    libnghttp2-14:arm64 libssl3:arm64 libuv1:arm64 zlib1g:arm64 libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 \
    node-acorn node-cjs-module-lexer node-undici >/dev/null 2>&1) \
    || { echo "arm64-node-sysroot: apt-get download failed (needs the arm64 architecture: scripts/bootstrap.sh adds it, then apt-get update)" >&2; exit 1; }
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
fi
echo "$sysroot"
