#!/usr/bin/env bash
# Adds ops to the registry (native/src/ops/op_list.inc) in sorted order; safe to run concurrently.
# Usage: scripts/add-op.sh OpType [OpType...]
set -euo pipefail
list="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/native/src/ops/op_list.inc"
exec 9>"$list.lock"
flock 9
for op in "$@"; do
  grep -qx "EDGELITE_OP_ENTRY($op)" "$list" || echo "EDGELITE_OP_ENTRY($op)" >>"$list"
done
{ grep -v '^EDGELITE_OP_ENTRY' "$list"; grep '^EDGELITE_OP_ENTRY' "$list" | sort -u; } >"$list.tmp"
mv "$list.tmp" "$list"
