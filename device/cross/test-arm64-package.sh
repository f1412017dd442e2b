#!/usr/bin/env bash
# The arm64 package check: cross-builds the addon into prebuilds/linux-arm64, packs the package with `npm pack`,
# unpacks the tarball and runs test/arm64/smoke.mjs in Debian's arm64 Node under qemu from it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash device/cross/build-arm64.sh >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -1)"
tar xzf "$work/$tarball" -C "$work"
[ -f "$work/package/prebuilds/linux-arm64/edgelite.node" ] || { echo "the tarball has no prebuilds/linux-arm64 addon" >&2; exit 1; }
# The package's dependencies (pure JS, and serialport's own prebuilds) come from this checkout's node_modules.
ln -s "$root/node_modules" "$work/package/node_modules"
reference="$root/.cache/references/blazeface-front-128"
[ -f "$reference/outputs.txt" ] || npx --no-install tsx test/fixtures/make-references.ts >/dev/null
bash device/cross/run-arm64-node.sh "$root/test/arm64/smoke.mjs" "$work/package" "$reference"
