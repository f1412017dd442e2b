// Tiled matrix products: Gemm/MatMul (batched, broadcast batch dims) and Conv2d as an implicit GEMM (the im2col
// matrix is gathered tile by tile into shared memory, never stored). One block computes a kTileM x kTileN tile of the
// output, 256 threads each a 4x4 micro-tile, stepping through K by kTileK: load A and B tiles, sync, accumulate, sync.
#pragma once

#include "backends/cuda/kernels/common.cuh"

namespace lite::backend::cuda::kernels {

constexpr int kTileM = 64, kTileN = 64, kTileK = 16, kTileThreads = 256, kMicro = 4;
static_assert(kTileThreads == (kTileM / kMicro) * (kTileN / kMicro), "one thread per micro-tile");

//! The block's shared memory: A (k, m) and B (k, n) tiles; +1 column so that stores by column avoid bank conflicts.
struct GemmTile {
    float a[kTileK][kTileM + 1];
    float b[kTileK][kTileN + 1];
};

//! A thread's accumulators: rows ty + 16 i, columns tx + 16 j of the block's tile.
struct GemmAcc {
    float v[kMicro][kMicro];
};

//! Every thread of a tile kernel computes these rows and columns of the output tile.
EL_HD inline int micro_row(const GridPos& at, int i) { return at.thread_index() / (kTileN / kMicro) + i * (kTileM / kMicro); }
EL_HD inline int micro_col(const GridPos& at, int j) { return at.thread_index() % (kTileN / kMicro) + j * (kTileN / kMicro); }

EL_HD inline void gemm_clear(GemmAcc& acc) {
    for (int i = 0; i < kMicro; ++i)
        for (int j = 0; j < kMicro; ++j) acc.v[i][j] = 0.f;
}

EL_HD inline void gemm_accumulate(const GemmTile& tile, GemmAcc& acc, const GridPos& at) {
    for (int kk = 0; kk < kTileK; ++kk) {
        float a[kMicro], b[kMicro];
        for (int i = 0; i < kMicro; ++i) a[i] = tile.a[kk][micro_row(at, i)];
        for (int j = 0; j < kMicro; ++j) b[j] = tile.b[kk][micro_col(at, j)];
        for (int i = 0; i < kMicro; ++i)
            for (int j = 0; j < kMicro; ++j) acc.v[i][j] += a[i] * b[j];
    }
}

//! Y[batch] = act(alpha * A'[batch] B'[batch] + beta * C), A' (M, K) and B' (K, N) given by element strides (a
//! transposed operand is just other strides). Batch dims (up to 4, outermost first) broadcast: a_batch/b_batch are
//! the element strides of A and B per batch dim, 0 where broadcast. C is optional, with strides 0 on broadcast dims.
struct GemmArgs {
    const float* a = nullptr;
    const float* b = nullptr;
    const float* c = nullptr;
    float* y = nullptr;
    int m = 0, n = 0, k = 0;
    int64_t a_row = 0, a_col = 0, b_row = 0, b_col = 0, c_row = 0, c_col = 0;
    float alpha = 1.f, beta = 1.f;
    Act act;
    int batch_rank = 0;
    int64_t batch[4] = {1, 1, 1, 1}, a_batch[4] = {0, 0, 0, 0}, b_batch[4] = {0, 0, 0, 0};

    EL_HD int64_t batches() const {
        int64_t total = 1;
        for (int d = 0; d < batch_rank; ++d) total *= batch[d];
        return total;
    }
};

struct GemmKernel {
    using Args = GemmArgs;
    using Tile = GemmTile;
    using State = GemmAcc;
    static constexpr const char* kName = "gemm";
    static constexpr bool kTiled = true;

    //! x: column tiles, y: row tiles, z: batches (each block loops over z in steps of gridDim.z).
    static LaunchShape launch(const Args& p) {
        LaunchShape l;
        l.block.x = kTileThreads;
        const int64_t batches = p.batches();
        if (p.m == 0 || p.n == 0 || batches == 0) {
            l.grid.x = 0;
            return l;
        }
        l.grid.x = unsigned(ceil_div(p.n, kTileN));
        l.grid.y = unsigned(ceil_div(p.m, kTileM));
        l.grid.z = unsigned(batches < kMaxGridZ ? batches : kMaxGridZ);
        return l;
    }

    EL_HD static void load(const Args& p, Tile& tile, int64_t a_off, int64_t b_off, int k0, const GridPos& at) {
        const int m0 = int(at.block.y) * kTileM, n0 = int(at.block.x) * kTileN;
        for (int e = at.thread_index(); e < kTileK * kTileM; e += kTileThreads) {
            const int mm = e / kTileK, kk = e % kTileK, row = m0 + mm, col = k0 + kk;
            tile.a[kk][mm] = row < p.m && col < p.k ? p.a[a_off + row * p.a_row + col * p.a_col] : 0.f;
        }
        for (int e = at.thread_index(); e < kTileK * kTileN; e += kTileThreads) {
            const int kk = e / kTileN, nn = e % kTileN, row = k0 + kk, col = n0 + nn;
            tile.b[kk][nn] = row < p.k && col < p.n ? p.b[b_off + row * p.b_row + col * p.b_col] : 0.f;
        }
    }

    EL_HD static void store(const Args& p, const GemmAcc& acc, int64_t y_off, const GridPos& at) {
        const int m0 = int(at.block.y) * kTileM, n0 = int(at.block.x) * kTileN;
        for (int i = 0; i < kMicro; ++i) {
            const int row = m0 + micro_row(at, i);
            if (row >= p.m) continue;
            for (int j = 0; j < kMicro; ++j) {
                const int col = n0 + micro_col(at, j);
                if (col >= p.n) continue;
                float value = p.alpha * acc.v[i][j];
                if (p.c) value += p.beta * p.c[row * p.c_row + col * p.c_col];
                p.y[y_off + int64_t(row) * p.n + col] = p.act.apply(value);
            }
        }
    }

    template <typename Threads>
    EL_HD static void block(const Args& p, Tile& tile, Threads& threads) {
        const int64_t batches = p.batches();
        for (int64_t bz = threads.pos().block.z; bz < batches; bz += threads.pos().blocks.z) {
            int64_t a_off = 0, b_off = 0, rem = bz;
            for (int d = p.batch_rank; d-- > 0;) {
                const int64_t idx = rem % p.batch[d];
                rem /= p.batch[d];
                a_off += idx * p.a_batch[d];
                b_off += idx * p.b_batch[d];
            }
            threads.each([&](const GridPos&, GemmAcc& acc) { gemm_clear(acc); });
            for (int k0 = 0; k0 < p.k; k0 += kTileK) {
                threads.each([&](const GridPos& at, GemmAcc&) { load(p, tile, a_off, b_off, k0, at); });
                threads.each([&](const GridPos& at, GemmAcc& acc) { gemm_accumulate(tile, acc, at); });
            }
            threads.each([&](const GridPos& at, GemmAcc& acc) { store(p, acc, bz * p.m * p.n, at); });
        }
    }
};

//! Conv over 2 spatial dims (a 1-D conv is H = KH = OH = 1): X (N, C, H, W), W (M, C/group, KH, KW), optional bias
//! (M) and residual (N, residual_maps <= M, OH, OW) added before the activation, as the reference kernel does.
struct Conv2dArgs {
    const float* x = nullptr;
    const float* w = nullptr;
    const float* bias = nullptr;
    const float* residual = nullptr;
    float* y = nullptr;
    int n = 0, c = 0, h = 0, w_in = 0, m = 0, kh = 1, kw = 1, oh = 0, ow = 0, group = 1;
    int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, pad_h = 0, pad_w = 0;
    int residual_maps = 0;
    Act act;
};

//! The output element (n, m, oy, ox) of a conv: bias, residual, activation.
EL_HD inline float conv_epilogue(const Conv2dArgs& p, float sum, int n, int m, int64_t pixel) {
    float value = sum;
    if (p.bias) value += p.bias[m];
    if (m < p.residual_maps) value += p.residual[(int64_t(n) * p.residual_maps + m) * p.oh * p.ow + pixel];
    return p.act.apply(value);
}

//! Implicit GEMM per group: Y_g (M/group, N*OH*OW) = W_g (M/group, C/group*KH*KW) x im2col(X_g).
struct Conv2dKernel {
    using Args = Conv2dArgs;
    using Tile = GemmTile;
    using State = GemmAcc;
    static constexpr const char* kName = "conv2d";
    static constexpr bool kTiled = true;

    //! x: pixel tiles over N*OH*OW, y: map tiles over M/group, z: groups (looped in steps of gridDim.z).
    static LaunchShape launch(const Args& p) {
        LaunchShape l;
        l.block.x = kTileThreads;
        const int64_t pixels = int64_t(p.n) * p.oh * p.ow;
        if (pixels == 0 || p.m == 0) {
            l.grid.x = 0;
            return l;
        }
        l.grid.x = unsigned(ceil_div(pixels, kTileN));
        l.grid.y = unsigned(ceil_div(p.m / p.group, kTileM));
        l.grid.z = unsigned(p.group < int(kMaxGridZ) ? p.group : int(kMaxGridZ));
        return l;
    }

    EL_HD static void load(const Args& p, Tile& tile, int g, int k0, const GridPos& at) {
        const int maps = p.m / p.group, channels = p.c / p.group, window = p.kh * p.kw, k = channels * window;
        const int64_t pixels = int64_t(p.n) * p.oh * p.ow;
        const int m0 = int(at.block.y) * kTileM;
        const int64_t q0 = int64_t(at.block.x) * kTileN;
        for (int e = at.thread_index(); e < kTileK * kTileM; e += kTileThreads) {
            const int mm = e / kTileK, kk = e % kTileK, row = m0 + mm, col = k0 + kk;
            tile.a[kk][mm] = row < maps && col < k ? p.w[int64_t(g * maps + row) * k + col] : 0.f;
        }
        for (int e = at.thread_index(); e < kTileK * kTileN; e += kTileThreads) {
            const int kk = e / kTileN, nn = e % kTileN, r = k0 + kk;
            const int64_t q = q0 + nn;
            float value = 0.f;
            if (r < k && q < pixels) {
                const int ci = r / window, ky = (r % window) / p.kw, kx = r % p.kw;
                const int ox = int(q % p.ow), oy = int((q / p.ow) % p.oh), n = int(q / (int64_t(p.ow) * p.oh));
                const int iy = oy * p.stride_h - p.pad_h + ky * p.dilation_h, ix = ox * p.stride_w - p.pad_w + kx * p.dilation_w;
                if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w_in) {
                    value = p.x[((int64_t(n) * p.c + g * channels + ci) * p.h + iy) * p.w_in + ix];
                }
            }
            tile.b[kk][nn] = value;
        }
    }

    EL_HD static void store(const Args& p, const GemmAcc& acc, int g, const GridPos& at) {
        const int maps = p.m / p.group;
        const int64_t plane = int64_t(p.oh) * p.ow, pixels = p.n * plane;
        const int m0 = int(at.block.y) * kTileM;
        const int64_t q0 = int64_t(at.block.x) * kTileN;
        for (int i = 0; i < kMicro; ++i) {
            const int row = m0 + micro_row(at, i);
            if (row >= maps) continue;
            const int m = g * maps + row;
            for (int j = 0; j < kMicro; ++j) {
                const int64_t q = q0 + micro_col(at, j);
                if (q >= pixels) continue;
                const int n = int(q / plane);
                const int64_t pixel = q % plane;
                p.y[(int64_t(n) * p.m + m) * plane + pixel] = conv_epilogue(p, acc.v[i][j], n, m, pixel);
            }
        }
    }

    template <typename Threads>
    EL_HD static void block(const Args& p, Tile& tile, Threads& threads) {
        const int k = p.c / p.group * p.kh * p.kw;
        for (int g = int(threads.pos().block.z); g < p.group; g += int(threads.pos().blocks.z)) {
            threads.each([&](const GridPos&, GemmAcc& acc) { gemm_clear(acc); });
            for (int k0 = 0; k0 < k; k0 += kTileK) {
                threads.each([&](const GridPos& at, GemmAcc&) { load(p, tile, g, k0, at); });
                threads.each([&](const GridPos& at, GemmAcc& acc) { gemm_accumulate(tile, acc, at); });
            }
            threads.each([&](const GridPos& at, GemmAcc& acc) { store(p, acc, g, at); });
        }
    }
};

}  // namespace lite::backend::cuda::kernels
