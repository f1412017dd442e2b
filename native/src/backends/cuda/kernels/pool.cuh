// Pooling over 2 spatial dims (a 1-D pool is H = KH = OH = 1), float32, one thread per output element, with the
// reference kernels' rules: padding never wins a max and a NaN always does (the first one); an average divides by
// the window's positions inside the input, or inside the padded input with count_include_pad. GlobalAveragePool is a
// block per (n, c) plane with a shared-memory tree reduction.
#pragma once

#include "backends/cuda/kernels/common.cuh"

namespace lite::backend::cuda::kernels {

//! X (planes = N*C, H, W) to Y (planes, OH, OW); pads as resolved by the reference's window geometry.
struct Pool2dArgs {
    const float* x = nullptr;
    float* y = nullptr;
    int64_t planes = 0;
    int h = 0, w = 0, oh = 0, ow = 0, kh = 1, kw = 1;
    int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    bool count_include_pad = false;  //!< AveragePool only
};
struct MaxPool2dArgs : Pool2dArgs {};
struct AveragePool2dArgs : Pool2dArgs {};

struct MaxPool2dKernel {
    using Args = MaxPool2dArgs;
    static constexpr const char* kName = "max_pool2d";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.planes * p.oh * p.ow); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        const int64_t plane = int64_t(p.oh) * p.ow, total = p.planes * plane;
        for (int64_t o = at.global_x(); o < total; o += at.stride_x()) {
            const int oy = int((o % plane) / p.ow), ox = int(o % p.ow);
            const float* xp = p.x + (o / plane) * p.h * p.w;
            float best = -3.40282347e38f;
            bool first = true;
            for (int ky = 0; ky < p.kh; ++ky) {
                const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                if (iy < 0 || iy >= p.h) continue;
                for (int kx = 0; kx < p.kw; ++kx) {
                    const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                    if (ix < 0 || ix >= p.w) continue;
                    const float v = xp[int64_t(iy) * p.w + ix];
                    if (first || v > best || (v != v && best == best)) best = v;
                    first = false;
                }
            }
            p.y[o] = best;
        }
    }
};

struct AveragePool2dKernel {
    using Args = AveragePool2dArgs;
    static constexpr const char* kName = "average_pool2d";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.planes * p.oh * p.ow); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        const int64_t plane = int64_t(p.oh) * p.ow, total = p.planes * plane;
        for (int64_t o = at.global_x(); o < total; o += at.stride_x()) {
            const int oy = int((o % plane) / p.ow), ox = int(o % p.ow);
            const float* xp = p.x + (o / plane) * p.h * p.w;
            float sum = 0.f;
            int count = 0;
            for (int ky = 0; ky < p.kh; ++ky) {
                const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const bool row_counted = p.count_include_pad ? iy >= -p.pad_top && iy < p.h + p.pad_bottom : iy >= 0 && iy < p.h;
                if (!row_counted) continue;
                for (int kx = 0; kx < p.kw; ++kx) {
                    const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                    const bool counted = p.count_include_pad ? ix >= -p.pad_left && ix < p.w + p.pad_right : ix >= 0 && ix < p.w;
                    if (!counted) continue;
                    ++count;
                    if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w) sum += xp[int64_t(iy) * p.w + ix];
                }
            }
            p.y[o] = count ? sum / float(count) : 0.f;
        }
    }
};

//! Y (planes) = mean of each contiguous plane of `size` elements of X.
struct GlobalAveragePoolArgs {
    const float* x = nullptr;
    float* y = nullptr;
    int64_t planes = 0, size = 0;
};

//! A block's shared partial sums (tree reductions of up to 256 threads).
struct ReduceTile {
    float v[256];
};

//! Tree reduction of tile.v[0, threads) into tile.v[0] with combine(a, b), one phase per level.
template <typename Threads, typename Combine>
EL_HD void tree_reduce(ReduceTile& tile, Threads& threads, Combine combine) {
    for (int s = threads.pos().block_size() / 2; s > 0; s /= 2) {
        threads.each([&](const GridPos& at, auto&) {
            const int t = at.thread_index();
            if (t < s) tile.v[t] = combine(tile.v[t], tile.v[t + s]);
        });
    }
}

struct GlobalAveragePoolKernel {
    using Args = GlobalAveragePoolArgs;
    using Tile = ReduceTile;
    using State = NoState;
    static constexpr const char* kName = "global_average_pool";
    static constexpr bool kTiled = true;
    //! x: planes (looped in steps of gridDim.x past 65535), a power-of-two block of up to 256 threads.
    static LaunchShape launch(const Args& p) {
        LaunchShape l;
        l.block.x = reduction_threads(p.size);
        l.grid.x = unsigned(p.planes < kMaxGridZ ? p.planes : kMaxGridZ);
        return l;
    }
    template <typename Threads>
    EL_HD static void block(const Args& p, Tile& tile, Threads& threads) {
        for (int64_t plane = threads.pos().block.x; plane < p.planes; plane += threads.pos().blocks.x) {
            const float* xp = p.x + plane * p.size;
            threads.each([&](const GridPos& at, NoState&) {
                float sum = 0.f;
                for (int64_t i = at.thread_index(); i < p.size; i += at.block_size()) sum += xp[i];
                tile.v[at.thread_index()] = sum;
            });
            tree_reduce(tile, threads, [](float a, float b) { return a + b; });
            threads.each([&](const GridPos& at, NoState&) {
                if (at.thread_index() == 0) p.y[plane] = p.size ? tile.v[0] / float(p.size) : 0.f;
            });
        }
    }
};

}  // namespace lite::backend::cuda::kernels
