#!/usr/bin/env bash
# npm run test:gpu: builds the CUDA backend and its GPU test binary (build-gpu/test/gpu/cuda_tests, GoogleTest, no
# Node) and runs it: every CUDA kernel through its launch function against the reference kernel on random shapes,
# chains of launches queued on streams, and kernels on mapped pinned memory. On a machine without a CUDA device the
# binary prints "no CUDA device: skipped" and this script exits 0; without nvcc it says so and exits 0 as well.
#
# On a GPU machine through the `device` tool (it runs a bash command in a copy of this working tree on a machine with
# an NVIDIA GPU, and nothing outside that machine can be reached from it), the command is:
#     bash scripts/test-gpu.sh
# The machine needs cmake, a C++ compiler, GoogleTest and the CUDA toolkit (nvcc). To shorten nvcc there, build for
# that GPU only: EDGELITE_CUDA_ARCHITECTURES=90 bash scripts/test-gpu.sh (an H100 or H200 is 90; Jetson Orin 87).
#
# Environment: EDGELITE_CUDA_ARCHITECTURES (default: the project's, 87;110;80;90), EDGELITE_GPU_BUILD_DIR (default
# build-gpu), extra arguments are passed to cuda_tests (e.g. --gtest_filter=CudaKernels.Gemm).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EDGELITE_GPU_BUILD_DIR:-$root/build-gpu}"

nvcc="$(command -v nvcc || true)"
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
if [ -z "$nvcc" ]; then
  echo "test:gpu: nvcc not found (install the CUDA toolkit or put its bin/ on PATH): skipped"
  exit 0
fi

configure=(-S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEDGELITE_WITH_CUDA=ON -DEDGELITE_WITH_OPENCL=OFF
           -DEDGELITE_BUILD_BENCH=OFF -DCMAKE_CUDA_COMPILER="$nvcc")
command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ] && configure+=(-G Ninja)
[ -n "${EDGELITE_CUDA_ARCHITECTURES:-}" ] && configure+=(-DCMAKE_CUDA_ARCHITECTURES="$EDGELITE_CUDA_ARCHITECTURES")
echo "test:gpu: configuring $build with $nvcc"
cmake "${configure[@]}" >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
start=$SECONDS
cmake --build "$build" --target cuda_tests -j "$(nproc)"
echo "test:gpu: built cuda_tests in $((SECONDS - start))s"
"$build/test/gpu/cuda_tests" "$@"
