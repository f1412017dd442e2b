#!/usr/bin/env bash
# Cross-compiles the runtime and the Node addon for linux-arm64 (Jetson, ARM boards) with Debian's
# g++-aarch64-linux-gnu, and places the addon where the loader looks for prebuilt binaries:
#   prebuilds/linux-arm64/edgelite.node
# The addon uses Node-API only (version 8), so one binary serves Node 18 and later.
# Usage: device/cross/build-arm64.sh [build-dir]   (default build-arm64-addon; incremental, ccache when present)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build-arm64-addon}"
command -v aarch64-linux-gnu-g++ >/dev/null || { echo "build-arm64: aarch64-linux-gnu-g++ is missing: run scripts/bootstrap.sh" >&2; exit 1; }
headers="$root/node_modules/node-api-headers/include"
[ -f "$headers/node_api.h" ] || { echo "build-arm64: node-api-headers are missing: run npm ci" >&2; exit 1; }

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$root/device/cross/aarch64-linux-gnu.cmake" \
  -DEDGELITE_WITH_CUDA=OFF -DEDGELITE_BUILD_TESTS=OFF -DEDGELITE_BUILD_BENCH=OFF \
  -DCMAKE_JS_VERSION=cross -DCMAKE_JS_INC="$headers" >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target edgelite_addon
addon="$(find "$build" -name edgelite.node | head -1)"
file "$addon" | grep -q "ARM aarch64" || { echo "build-arm64: $addon is not an aarch64 binary" >&2; exit 1; }
mkdir -p "$root/prebuilds/linux-arm64"
cp "$addon" "$root/prebuilds/linux-arm64/edgelite.node"
echo "build-arm64: prebuilds/linux-arm64/edgelite.node"
