#!/usr/bin/env bash
# Idempotent set-up of a Debian 12 machine for edgelite: Debian packages (build tools, googletest, OpenCL on
# PoCL, the aarch64 cross toolchain and qemu), npm dependencies, the native build and the TypeScript build.
# Each step runs only when something is missing or out of date; a second run takes a few seconds.
# Environment: EDGELITE_SKIP_APT=1 skips the Debian packages (for machines set up by other means).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { echo "[bootstrap] $*"; }

# Debian packages: name -> why.
packages=(
  build-essential cmake ninja-build ccache pkg-config file  # the native build
  libgtest-dev                                              # GoogleTest for test/native
  libonnx-testdata                                          # ONNX's backend node tests (conformance)
  opencl-headers ocl-icd-libopencl1 pocl-opencl-icd clinfo  # the OpenCL backend, run on PoCL in tests
  ffmpeg                                                    # file: and v4l2: sources (decoding, capture)
  mosquitto socat                                           # tests: a real MQTT broker, real PTY pairs
  openssh-client openssh-server                             # edgelite deploy (ssh, scp); its test runs its own sshd
                                                            # on a loopback port (Debian's ssh service is not used)
  systemd                                                   # systemd-analyze verify of the unit deploy writes
  g++-aarch64-linux-gnu qemu-user                           # aarch64 (Jetson) cross-build, run under qemu
  libgtest-dev:arm64                                        # GoogleTest for the aarch64 build
)

missing_packages() {
  local pkg
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "[bootstrap] needs root for: $*  (run it as root, or set EDGELITE_SKIP_APT=1 after installing by hand)" >&2; exit 1
  fi
}

if [ "${EDGELITE_SKIP_APT:-0}" != 1 ]; then
  if ! command -v dpkg >/dev/null; then
    log "not a Debian system: install the packages listed in scripts/bootstrap.sh by hand, then rerun with EDGELITE_SKIP_APT=1"
    exit 1
  fi
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then as_root dpkg --add-architecture arm64; fi
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "Debian packages: all present"
  fi
fi

command -v node >/dev/null || { log "Node.js 18 or later is needed: install it (e.g. apt-get install nodejs npm)"; exit 1; }

# npm dependencies, when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  # onnxruntime-node (the test oracle) ships its CPU binary in the package; its install script only fetches
  # GPU providers, which the tests do not use.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
else
  log "npm dependencies: up to date"
fi

# Native build (incremental; ccache makes a fresh clone's rebuild cheap) and the TypeScript build.
log "native build (cmake-js, build/)"
mkdir -p build
if ! npx --no-install cmake-js build --out build >build/cmake-js.log 2>&1; then
  tail -n 60 build/cmake-js.log
  log "native build failed (full log: build/cmake-js.log)"
  exit 1
fi
log "TypeScript build (dist/)"
npx --no-install tsc -p tsconfig.json
log "ready"
