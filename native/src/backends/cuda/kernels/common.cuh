// What every CUDA kernel of edgelite is built from. Each kernel is a struct in kernels/*.cuh whose computation is
// written as __host__ __device__ functions over an explicit grid position, so that the same code runs as CUDA (through
// cuda_kernels.cu) and as plain C++ in the host harness (emulate.h, test/native/cuda_host_kernel_test.cpp):
//   - a per-thread kernel has `static LaunchShape launch(const Args&)` and `EL_HD static void thread(args, pos)`;
//   - a tiled kernel (kTiled) has a `Tile` (the block's shared memory: __shared__ on the device, a plain struct in the
//     harness), a per-thread `State` (registers) and `EL_HD static void block(args, tile, threads)`, a program of
//     phases `threads.each(fn)`: fn(pos, state) runs for every thread of the block, then the block synchronises
//     (__syncthreads() on the device; the harness runs every thread's fn in turn, which is a phase boundary).
// This header is plain C++ unless compiled by nvcc; it includes nothing from the CUDA toolkit.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#define EL_HD __host__ __device__
#else
#define EL_HD
#endif

namespace lite::backend::cuda::kernels {

//! CUDA's dim3, without the toolkit.
struct Dim3 {
    unsigned x = 1, y = 1, z = 1;
};

//! Where a thread is: blockIdx, threadIdx, gridDim and blockDim.
struct GridPos {
    Dim3 block, thread, blocks, threads;
    //! The thread's index inside its block, x fastest.
    EL_HD int thread_index() const { return int(thread.x + threads.x * (thread.y + threads.y * thread.z)); }
    EL_HD int block_size() const { return int(threads.x * threads.y * threads.z); }
    //! blockIdx.x * blockDim.x + threadIdx.x and the grid-stride of x (for 1-D grid-stride loops).
    EL_HD int64_t global_x() const { return int64_t(block.x) * threads.x + thread.x; }
    EL_HD int64_t stride_x() const { return int64_t(blocks.x) * threads.x; }
};

//! A launch configuration: grid and block dims (all kernels use static shared memory only).
struct LaunchShape {
    Dim3 grid, block;
    int64_t blocks() const { return int64_t(grid.x) * grid.y * grid.z; }
    int64_t threads_per_block() const { return int64_t(block.x) * block.y * block.z; }
};

constexpr int kMaxRank = 6;                //!< rank limit of the strided kernels (broadcast, gather, reduce)
constexpr int64_t kMaxLinearBlocks = 4096; //!< grid-stride kernels use at most this many blocks
constexpr unsigned kMaxGridZ = 65535;      //!< CUDA's limit on gridDim.y and .z

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

//! A 1-D grid-stride launch over n items: 256 threads a block, at most kMaxLinearBlocks blocks.
inline LaunchShape linear_launch(int64_t n, unsigned threads = 256) {
    LaunchShape l;
    l.block.x = threads;
    int64_t blocks = ceil_div(n, threads);
    l.grid.x = unsigned(blocks < kMaxLinearBlocks ? blocks : kMaxLinearBlocks);
    return l;
}

//! Threads for a block that reduces `n` values: a power of two from 32 to 256 (tree reductions halve it).
inline unsigned reduction_threads(int64_t n) {
    unsigned t = 32;
    while (t < 256 && int64_t(t) < n) t *= 2;
    return t;
}

// Comparisons written as the reference kernels' std::min/std::max are, so NaNs propagate the same way.
EL_HD inline float min_of(float a, float b) { return b < a ? b : a; }
EL_HD inline float max_of(float a, float b) { return a < b ? b : a; }

//! ops::Activation (op.h) as a plain struct the device can read: y = act(x) * scale + shift.
struct Act {
    enum Kind { None, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh };
    int kind = None;
    float alpha = 0.f, beta = 0.f, min = -3.4e38f, max = 3.4e38f, scale = 1.f, shift = 0.f;

    EL_HD float apply(float x) const {
        float y = x;
        switch (kind) {
            case Relu: y = x > 0.f ? x : 0.f; break;
            case Clip: y = x < min ? min : (x > max ? max : x); break;
            case LeakyRelu: y = x >= 0.f ? x : alpha * x; break;
            case Sigmoid: y = 1.f / (1.f + expf(-x)); break;
            case HardSigmoid: y = max_of(0.f, min_of(1.f, alpha * x + beta)); break;
            case HardSwish: y = x * max_of(0.f, min_of(1.f, x / 6.f + 0.5f)); break;
            case Tanh: y = tanhf(x); break;
            default: break;
        }
        return (scale != 1.f || shift != 0.f) ? y * scale + shift : y;
    }
};

//! A thread's state when a tiled kernel keeps nothing in registers between phases.
struct NoState {};

}  // namespace lite::backend::cuda::kernels
