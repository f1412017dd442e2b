#!/usr/bin/env bash
# Cross-builds the C++ runtime and its GoogleTest suite for aarch64 (Jetson) and runs the tests under qemu.
# Usage: device/cross/test-aarch64.sh [build-dir [ctest options...]]
#   build-dir defaults to build-aarch64 (incremental; ccache when present).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build-aarch64}"
shift || true
for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ninja; do
  command -v "$tool" >/dev/null || { echo "test-aarch64: '$tool' is missing: run scripts/bootstrap.sh" >&2; exit 1; }
done
[ -f /usr/lib/aarch64-linux-gnu/libgtest.a ] || {
  echo "test-aarch64: arm64 googletest is missing: run scripts/bootstrap.sh (installs libgtest-dev:arm64)" >&2; exit 1; }

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$root/device/cross/aarch64-linux-gnu.cmake" \
  -DEDGELITE_WITH_CUDA=OFF >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target edgelite_native_tests
file "$build/test/native/edgelite_native_tests" | grep -q "ARM aarch64" || {
  echo "test-aarch64: the test binary is not an aarch64 executable" >&2; exit 1; }
ctest --test-dir "$build" --output-on-failure "$@"
