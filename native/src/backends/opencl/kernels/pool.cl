// 2-D pooling, NCHW float32, one work-item per output element (flat over planes, OH, OW). size: (H, W, OH, OW),
// win: (KH, KW, SH, SW), pad: (PH, PW, DH, DW), pad_end: (PH end, PW end). Output sizes (ceil_mode included) are
// computed by the host.

// Max: padding never wins; a window wholly in the padding gives -FLT_MAX; the first NaN wins, like the reference.
__kernel void max_pool2d(__global const float* x, int x_off, __global float* y, int y_off, int count, int4 size,
                         int4 win, int4 pad) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const int H = size.s0, W = size.s1, OH = size.s2, OW = size.s3;
    const int ow = i % OW, oh = (i / OW) % OH, p = i / (OW * OH);
    __global const float* xp = x + x_off + p * H * W;
    float best = -FLT_MAX;
    bool first = true;
    for (int r = 0; r < win.s0; ++r) {
        const int ih = oh * win.s2 - pad.s0 + r * pad.s2;
        if (ih < 0 || ih >= H) continue;
        for (int s = 0; s < win.s1; ++s) {
            const int iw = ow * win.s3 - pad.s1 + s * pad.s3;
            if (iw < 0 || iw >= W) continue;
            const float v = xp[ih * W + iw];
            if (first || v > best || (isnan(v) && !isnan(best))) best = v;
            first = false;
        }
    }
    y[y_off + i] = best;
}

// Average: the divisor counts the window's positions inside the input, or (count_include_pad) inside the
// padded input.
__kernel void avg_pool2d(__global const float* x, int x_off, __global float* y, int y_off, int count, int4 size,
                         int4 win, int4 pad, int2 pad_end, int count_include_pad) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const int H = size.s0, W = size.s1, OH = size.s2, OW = size.s3;
    const int ow = i % OW, oh = (i / OW) % OH, p = i / (OW * OH);
    __global const float* xp = x + x_off + p * H * W;
    const int h_lo = count_include_pad ? -pad.s0 : 0, h_hi = count_include_pad ? H + pad_end.s0 : H;
    const int w_lo = count_include_pad ? -pad.s1 : 0, w_hi = count_include_pad ? W + pad_end.s1 : W;
    float sum = 0.f;
    int n = 0;
    for (int r = 0; r < win.s0; ++r) {
        const int ih = oh * win.s2 - pad.s0 + r * pad.s2;
        if (ih < h_lo || ih >= h_hi) continue;
        for (int s = 0; s < win.s1; ++s) {
            const int iw = ow * win.s3 - pad.s1 + s * pad.s3;
            if (iw < w_lo || iw >= w_hi) continue;
            ++n;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) sum += xp[ih * W + iw];
        }
    }
    y[y_off + i] = n ? sum / (float)n : 0.f;
}

// Tree reduction of one value per work-item in `scratch` (a power-of-two work-group); the result in scratch[0].
inline void reduce_sum_local(__local float* scratch) {
    const int l = get_local_id(0);
    for (int span = get_local_size(0) / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < span) scratch[l] += scratch[l + span];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
}

// The mean of each plane: one work-group per plane.
__kernel void global_avg_pool(__global const float* x, int x_off, __global float* y, int y_off, int plane,
                              __local float* scratch) {
    const int p = get_group_id(0), l = get_local_id(0), L = get_local_size(0);
    __global const float* xp = x + x_off + p * plane;
    float sum = 0.f;
    for (int j = l; j < plane; j += L) sum += xp[j];
    scratch[l] = sum;
    reduce_sum_local(scratch);
    if (l == 0) y[y_off + p] = scratch[0] / (float)plane;
}
