// Convolutions computed directly, one thread per output element: depthwise (and any conv with one input channel per
// group, channel multipliers included), where an implicit GEMM would have K = KH*KW only, and ConvTranspose as a
// gather (each output sums the inputs whose strided, dilated window covers it: no atomics).
#pragma once

#include "backends/cuda/kernels/gemm.cuh"

namespace lite::backend::cuda::kernels {

//! Conv2dArgs of a conv with C/group == 1 (depthwise, or a channel multiplier M/group > 1).
struct DepthwiseConv2dArgs : Conv2dArgs {};

struct DepthwiseConv2dKernel {
    using Args = DepthwiseConv2dArgs;
    static constexpr const char* kName = "depthwise_conv2d";
    static constexpr bool kTiled = false;

    static LaunchShape launch(const Args& p) { return linear_launch(int64_t(p.n) * p.m * p.oh * p.ow); }

    EL_HD static void thread(const Args& p, const GridPos& at) {
        const int64_t plane = int64_t(p.oh) * p.ow, total = int64_t(p.n) * p.m * plane;
        const int multiplier = p.m / p.group;
        for (int64_t o = at.global_x(); o < total; o += at.stride_x()) {
            const int64_t pixel = o % plane;
            const int m = int((o / plane) % p.m), n = int(o / (plane * p.m));
            const int oy = int(pixel / p.ow), ox = int(pixel % p.ow);
            const float* xc = p.x + (int64_t(n) * p.c + m / multiplier) * p.h * p.w_in;
            const float* wm = p.w + int64_t(m) * p.kh * p.kw;
            float sum = 0.f;
            for (int ky = 0; ky < p.kh; ++ky) {
                const int iy = oy * p.stride_h - p.pad_h + ky * p.dilation_h;
                if (iy < 0 || iy >= p.h) continue;
                for (int kx = 0; kx < p.kw; ++kx) {
                    const int ix = ox * p.stride_w - p.pad_w + kx * p.dilation_w;
                    if (ix < 0 || ix >= p.w_in) continue;
                    sum += xc[int64_t(iy) * p.w_in + ix] * wm[ky * p.kw + kx];
                }
            }
            p.y[o] = conv_epilogue(p, sum, n, m, pixel);
        }
    }
};

//! ConvTranspose over 2 spatial dims: X (N, C, H, W), W (C, M/group, KH, KW), optional bias (M); pad_h/pad_w are the
//! leading pads as the reference resolves them (pads, auto_pad or output_shape), oh/ow the output size.
struct ConvTranspose2dArgs {
    const float* x = nullptr;
    const float* w = nullptr;
    const float* bias = nullptr;
    float* y = nullptr;
    int n = 0, c = 0, h = 0, w_in = 0, m = 0, kh = 1, kw = 1, oh = 0, ow = 0, group = 1;
    int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, pad_h = 0, pad_w = 0;
    Act act;
};

struct ConvTranspose2dKernel {
    using Args = ConvTranspose2dArgs;
    static constexpr const char* kName = "conv_transpose2d";
    static constexpr bool kTiled = false;

    static LaunchShape launch(const Args& p) { return linear_launch(int64_t(p.n) * p.m * p.oh * p.ow); }

    EL_HD static void thread(const Args& p, const GridPos& at) {
        const int64_t plane = int64_t(p.oh) * p.ow, total = int64_t(p.n) * p.m * plane;
        const int maps = p.m / p.group, channels = p.c / p.group;
        for (int64_t o = at.global_x(); o < total; o += at.stride_x()) {
            const int64_t pixel = o % plane;
            const int m = int((o / plane) % p.m), n = int(o / (plane * p.m)), g = m / maps, mg = m % maps;
            const int oy = int(pixel / p.ow), ox = int(pixel % p.ow);
            float sum = 0.f;
            for (int ci = 0; ci < channels; ++ci) {
                const int ch = g * channels + ci;
                const float* xc = p.x + (int64_t(n) * p.c + ch) * p.h * p.w_in;
                const float* wc = p.w + (int64_t(ch) * maps + mg) * p.kh * p.kw;
                for (int ky = 0; ky < p.kh; ++ky) {
                    const int ty = oy + p.pad_h - ky * p.dilation_h;
                    if (ty < 0 || ty % p.stride_h != 0 || ty / p.stride_h >= p.h) continue;
                    for (int kx = 0; kx < p.kw; ++kx) {
                        const int tx = ox + p.pad_w - kx * p.dilation_w;
                        if (tx < 0 || tx % p.stride_w != 0 || tx / p.stride_w >= p.w_in) continue;
                        sum += xc[int64_t(ty / p.stride_h) * p.w_in + tx / p.stride_w] * wc[ky * p.kw + kx];
                    }
                }
            }
            if (p.bias) sum += p.bias[m];
            p.y[o] = p.act.apply(sum);
        }
    }
};

}  // namespace lite::backend::cuda::kernels
