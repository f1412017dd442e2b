// Resize over the last two axes (nearest or linear), one thread per output element, following the reference kernel
// (ops/resize.cpp): each output coordinate is mapped back to the input by the coordinate_transformation_mode (in
// double, as the reference does), nearest picks by nearest_mode, linear weighs the two neighbours (the left one with
// weight 0 at integer positions), and rows are resampled before columns so the float sums round as the reference's.
// Not here: cubic, antialias, tf_crop_and_resize, resizing the leading axes.
#pragma once

#include "backends/cuda/kernels/common.cuh"
#include "backends/resize_modes.h"

namespace lite::backend::cuda::kernels {

using backend::ResizeCoord;
using backend::ResizeMode;
using backend::ResizeNearest;

//! X (planes, H, W) to Y (planes, OH, OW); scale_h/scale_w as the reference's plan has them (output / input when
//! sizes are given).
struct Resize2dArgs {
    const float* x = nullptr;
    float* y = nullptr;
    int64_t planes = 0;
    int h = 0, w = 0, oh = 0, ow = 0;
    double scale_h = 1, scale_w = 1;
    ResizeMode mode = ResizeMode::Nearest;
    ResizeCoord coord = ResizeCoord::HalfPixel;
    ResizeNearest nearest = ResizeNearest::RoundPreferFloor;
    bool exclude_outside = false;
};

//! Two taps along one axis: input indices (clamped) and weights; nearest uses the first with weight 1.
struct ResizeTaps {
    int index[2];
    float weight[2];
};

EL_HD inline ResizeTaps resize_taps(const Resize2dArgs& p, int j, int in, double scale) {
    const double x = j, length = in, out_width = scale * length;
    double x_ori = 0;
    switch (p.coord) {
        case ResizeCoord::HalfPixel: x_ori = (x + 0.5) / scale - 0.5; break;
        case ResizeCoord::PytorchHalfPixel: x_ori = out_width == 1 ? -0.5 : (x + 0.5) / scale - 0.5; break;
        case ResizeCoord::AlignCorners: x_ori = out_width == 1 ? 0.0 : x * (length - 1) / (out_width - 1); break;
        case ResizeCoord::Asymmetric: x_ori = x / scale; break;
        case ResizeCoord::TfHalfPixelForNn: x_ori = (x + 0.5) / scale; break;
    }
    auto clamp = [in](long long i) { return int(i < 0 ? 0 : (i >= in ? in - 1 : i)); };
    const double floor_x = floor(x_ori);
    ResizeTaps t{};
    if (p.mode == ResizeMode::Nearest) {
        const double ratio = x_ori - floor_x;
        const long long i0 = (long long)floor_x;
        long long i = i0;
        switch (p.nearest) {
            case ResizeNearest::Simple: i = scale < 1 ? (long long)ceil(x_ori) : i0; break;
            case ResizeNearest::RoundPreferFloor: i = ratio <= 0.5 ? i0 : i0 + 1; break;
            case ResizeNearest::RoundPreferCeil: i = ratio < 0.5 ? i0 : i0 + 1; break;
            case ResizeNearest::Floor: i = i0; break;
            case ResizeNearest::Ceil: i = ratio == 0 ? i0 : i0 + 1; break;
        }
        t.index[0] = t.index[1] = clamp(i);
        t.weight[0] = 1.f;
        t.weight[1] = 0.f;
        return t;
    }
    double ratio = x_ori - floor_x;
    long long i0 = (long long)floor_x;
    if (ratio == 0) {  // the reference prefers the element left of x: i0 = x - 1 with ratio 1
        i0 -= 1;
        ratio = 1;
    }
    double c[2], sum = 0;
    for (int k = 0; k < 2; ++k) {
        const double distance = double(k) - ratio;
        c[k] = 1 - fabs(distance) > 0 ? 1 - fabs(distance) : 0.0;
        if (p.exclude_outside && (i0 + k < 0 || i0 + k >= in)) c[k] = 0;
        sum += c[k];
    }
    for (int k = 0; k < 2; ++k) {
        t.index[k] = clamp(i0 + k);
        t.weight[k] = float(sum != 0 ? c[k] / sum : 0.0);
    }
    return t;
}

//! Whether an axis of n elements that the resize leaves at scale 1 maps each element to itself under this mode (the
//! kernel resizes the last two axes only). Not so for tf_half_pixel_for_nn with linear or a ceil-rounding nearest.
inline bool resize_keeps_axis(const Resize2dArgs& p, int n) {
    for (int j = 0; j < n; ++j) {
        const ResizeTaps t = resize_taps(p, j, n, 1.0);
        for (int k = 0; k < 2; ++k) {
            if (t.weight[k] != 0.f && (t.index[k] != j || t.weight[k] != 1.f)) return false;
        }
    }
    return true;
}

struct Resize2dKernel {
    using Args = Resize2dArgs;
    static constexpr const char* kName = "resize2d";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.planes * p.oh * p.ow); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        const int64_t plane = int64_t(p.oh) * p.ow, total = p.planes * plane;
        for (int64_t o = at.global_x(); o < total; o += at.stride_x()) {
            const int oy = int((o % plane) / p.ow), ox = int(o % p.ow);
            const float* xp = p.x + (o / plane) * p.h * p.w;
            const ResizeTaps ty = resize_taps(p, oy, p.h, p.scale_h), tx = resize_taps(p, ox, p.w, p.scale_w);
            if (p.mode == ResizeMode::Nearest) {  // a copy, bit for bit
                p.y[o] = xp[int64_t(ty.index[0]) * p.w + tx.index[0]];
                continue;
            }
            // The row pass at the columns the column pass reads; zero weights are skipped (0 * inf stays out).
            float cols[2];
            for (int k = 0; k < 2; ++k) {
                float v = 0.f;
                for (int r = 0; r < 2; ++r) {
                    if (ty.weight[r] != 0.f) v += ty.weight[r] * xp[int64_t(ty.index[r]) * p.w + tx.index[k]];
                }
                cols[k] = v;
            }
            float sum = 0.f;
            for (int k = 0; k < 2; ++k) {
                if (tx.weight[k] != 0.f) sum += tx.weight[k] * cols[k];
            }
            p.y[o] = sum;
        }
    }
};

}  // namespace lite::backend::cuda::kernels
