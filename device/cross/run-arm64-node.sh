#!/usr/bin/env bash
# Runs Debian's arm64 Node.js under qemu-aarch64: device/cross/run-arm64-node.sh SCRIPT [ARGS...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sysroot="$("$root/device/cross/arm64-node-sysroot.sh")"
exec qemu-aarch64 -L "$sysroot" -E "LD_LIBRARY_PATH=$sysroot/usr/lib/aarch64-linux-gnu:$sysroot/lib/aarch64-linux-gnu" \
  "$sysroot/usr/bin/node" "$@"
