#!/usr/bin/env bash
# The README's test command (npm test): set-up if needed, then every suite, each stage timed:
#   fixtures onnxruntime-node reference outputs for the C++ tests
#   native   GoogleTest on this machine (ctest)
#   arm64    the runtime cross-built for aarch64, its GoogleTest run under qemu (ctest)
#   arm64-node  the packed package with its prebuilt arm64 addon, smoke-tested in Debian's arm64 Node under qemu
#   sdk      vitest: the TypeScript SDK, end-to-end package tests
# Ends with one line "N passed, N failed, N skipped" over all suites; exits non-zero if anything failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reports="$root/build/test-reports"
total_passed=0 total_failed=0 total_skipped=0 status=0
declare -a timings=()

stage() {  # stage NAME COMMAND...: runs a stage, records its time and a failure
  local name=$1; shift
  local start=$SECONDS
  echo "=== [$name] $*"
  if ! "$@"; then
    echo "=== [$name] FAILED"
    status=1
  fi
  timings+=("$name $((SECONDS - start))s")
}

count_junit() {  # count_junit FILE: adds a ctest JUnit report's counts to the totals
  local file=$1
  [ -f "$file" ] || { total_failed=$((total_failed + 1)); echo "missing report $file (counted as one failure)"; return; }
  read -r p f s < <(node -e '
    const head = require("fs").readFileSync(process.argv[1], "utf8").match(/<testsuite\s[^>]*>/)[0];
    const n = (k) => Number((head.match(new RegExp(`\\b${k}="(\\d+)"`)) || [0, 0])[1]);
    const failed = n("failures") + n("errors");
    console.log(n("tests") - failed - n("skipped") - n("disabled"), failed, n("skipped") + n("disabled"));
  ' "$file")
  total_passed=$((total_passed + p)); total_failed=$((total_failed + f)); total_skipped=$((total_skipped + s))
}

count_vitest() {  # count_vitest FILE: adds vitest's JSON report counts to the totals
  local file=$1
  [ -f "$file" ] || { total_failed=$((total_failed + 1)); echo "missing report $file (counted as one failure)"; return; }
  read -r p f s < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites || 0), r.numPendingTests + r.numTodoTests);
  ' "$file")
  total_passed=$((total_passed + p)); total_failed=$((total_failed + f)); total_skipped=$((total_skipped + s))
}

stage setup bash scripts/bootstrap.sh || true
if [ $status -ne 0 ]; then
  echo "set-up failed: nothing was tested"
  echo "0 passed, 1 failed"
  exit 1
fi
rm -rf "$reports" && mkdir -p "$reports"

count_plain() {  # count_plain FILE: adds a "N passed, N failed" line's counts to the totals
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" 2>/dev/null | tail -1)
  if [ -z "$line" ]; then total_failed=$((total_failed + 1)); echo "no result line in $1 (counted as one failure)"; return; fi
  total_passed=$((total_passed + $(echo "$line" | cut -d' ' -f1)))
  total_failed=$((total_failed + $(echo "$line" | cut -d' ' -f3)))
}

node_summary() {  # the conformance runner's count, from a ctest JUnit report's captured output
  grep -o 'ONNX node tests: [^&]*excluded[^&]*eligible' "$1" 2>/dev/null | head -1 || true
}

# onnxruntime-node's results for the C++ tests (they cannot call it): written to .cache/references.
stage fixtures npx --no-install tsx test/fixtures/make-references.ts

stage native ctest --test-dir build --output-on-failure --output-junit "$reports/native.xml"
count_junit "$reports/native.xml"
node_summary "$reports/native.xml"

stage arm64 bash device/cross/test-aarch64.sh "$root/build-aarch64" --output-junit "$reports/arm64.xml"
count_junit "$reports/arm64.xml"
node_summary "$reports/arm64.xml" | sed 's/^/arm64 /'

# The arm64 package: addon cross-built into prebuilds/linux-arm64, `npm pack`, Debian's arm64 Node under qemu.
stage arm64-node bash -c 'set -o pipefail; bash device/cross/test-arm64-package.sh 2>&1 | tee "$0"' "$reports/arm64-node.log"
count_plain "$reports/arm64-node.log"

stage sdk npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json"
count_vitest "$reports/vitest.json"

echo "=== stage times: ${timings[*]}"
echo "${total_passed} passed, ${total_failed} failed, ${total_skipped} skipped"
[ $status -eq 0 ] && [ $total_failed -eq 0 ]
