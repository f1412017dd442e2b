// 2-D convolutions, NCHW float32, one work-item per output element (flat index over N, M, OH, OW). Every tensor is
// a buffer plus an element offset. geo: (C, H, W, group), out: (M, OH, OW, count), win: (KH, KW, SH, SW),
// pad: (PH, PW, DH, DW). A bias, a residual with res_maps <= M channels and the activation are fused.

// The kernel rows [lo, hi) whose taps start + k * dilation fall inside [0, size).
inline int2 tap_range(int start, int dilation, int k, int size) {
    const int lo = start < 0 ? (-start + dilation - 1) / dilation : 0;
    const int hi = size - start <= 0 ? 0 : min(k, (size - start + dilation - 1) / dilation);
    return (int2)(lo, hi);
}

__kernel void conv2d(__global const float* x, int x_off, __global const float* w, int w_off,
                     __global const float* bias, int bias_off, int has_bias,
                     __global const float* res, int res_off, int res_maps,
                     __global float* y, int y_off, int4 geo, int4 out, int4 win, int4 pad, int act_kind, float8 act) {
    const int i = get_global_id(0);
    if (i >= out.s3) return;
    const int C = geo.s0, H = geo.s1, W = geo.s2, M = out.s0, OH = out.s1, OW = out.s2;
    const int ow = i % OW, oh = (i / OW) % OH, nm = i / (OW * OH), m = nm % M, n = nm / M;
    const int gc = C / geo.s3, gm = M / geo.s3, g = m / gm, KH = win.s0, KW = win.s1;
    const int ih0 = oh * win.s2 - pad.s0, iw0 = ow * win.s3 - pad.s1, DH = pad.s2, DW = pad.s3;
    const int2 kh = tap_range(ih0, DH, KH, H), kw = tap_range(iw0, DW, KW, W);
    __global const float* xc = x + x_off + (n * C + g * gc) * H * W;
    __global const float* wc = w + w_off + m * gc * KH * KW;
    float sum = 0.f;
    for (int c = 0; c < gc; ++c, xc += H * W, wc += KH * KW) {
        for (int r = kh.s0; r < kh.s1; ++r) {
            __global const float* xr = xc + (ih0 + r * DH) * W + iw0;
            __global const float* wr = wc + r * KW;
            for (int s = kw.s0; s < kw.s1; ++s) sum += xr[s * DW] * wr[s];
        }
    }
    if (has_bias) sum += bias[bias_off + m];
    if (m < res_maps) sum += res[res_off + ((n * res_maps + m) * OH + oh) * OW + ow];
    y[y_off + i] = activate(sum, act_kind, act);
}

// One input channel per output map (depthwise, with any channel multiplier): no channel loop.
__kernel void depthwise_conv2d(__global const float* x, int x_off, __global const float* w, int w_off,
                               __global const float* bias, int bias_off, int has_bias,
                               __global const float* res, int res_off, int res_maps,
                               __global float* y, int y_off, int4 geo, int4 out, int4 win, int4 pad, int act_kind,
                               float8 act) {
    const int i = get_global_id(0);
    if (i >= out.s3) return;
    const int C = geo.s0, H = geo.s1, W = geo.s2, M = out.s0, OH = out.s1, OW = out.s2;
    const int ow = i % OW, oh = (i / OW) % OH, nm = i / (OW * OH), m = nm % M, n = nm / M;
    const int g = m / (M / geo.s3), KH = win.s0, KW = win.s1;
    const int ih0 = oh * win.s2 - pad.s0, iw0 = ow * win.s3 - pad.s1, DH = pad.s2, DW = pad.s3;
    const int2 kh = tap_range(ih0, DH, KH, H), kw = tap_range(iw0, DW, KW, W);
    __global const float* xc = x + x_off + (n * C + g) * H * W;
    __global const float* wc = w + w_off + m * KH * KW;
    float sum = 0.f;
    for (int r = kh.s0; r < kh.s1; ++r) {
        __global const float* xr = xc + (ih0 + r * DH) * W + iw0;
        __global const float* wr = wc + r * KW;
        for (int s = kw.s0; s < kw.s1; ++s) sum += xr[s * DW] * wr[s];
    }
    if (has_bias) sum += bias[bias_off + m];
    if (m < res_maps) sum += res[res_off + ((n * res_maps + m) * OH + oh) * OW + ow];
    y[y_off + i] = activate(sum, act_kind, act);
}

// Transposed convolution as a gather: each output sums the inputs whose strided, dilated window covers it.
// W is (C, M/group, KH, KW); pad holds the leading pads the output is cropped by.
__kernel void conv_transpose2d(__global const float* x, int x_off, __global const float* w, int w_off,
                               __global const float* bias, int bias_off, int has_bias,
                               __global float* y, int y_off, int4 geo, int4 out, int4 win, int4 pad, int act_kind,
                               float8 act) {
    const int i = get_global_id(0);
    if (i >= out.s3) return;
    const int C = geo.s0, H = geo.s1, W = geo.s2, M = out.s0, OH = out.s1, OW = out.s2;
    const int ow = i % OW, oh = (i / OW) % OH, nm = i / (OW * OH), m = nm % M, n = nm / M;
    const int gc = C / geo.s3, gm = M / geo.s3, g = m / gm, mg = m % gm, KH = win.s0, KW = win.s1;
    const int SH = win.s2, SW = win.s3, DH = pad.s2, DW = pad.s3;
    float sum = 0.f;
    for (int c = 0; c < gc; ++c) {
        __global const float* xc = x + x_off + (n * C + g * gc + c) * H * W;
        __global const float* wc = w + w_off + ((g * gc + c) * gm + mg) * KH * KW;
        for (int r = 0; r < KH; ++r) {
            const int th = oh + pad.s0 - r * DH;
            if (th < 0 || th % SH != 0 || th / SH >= H) continue;
            for (int s = 0; s < KW; ++s) {
                const int tw = ow + pad.s1 - s * DW;
                if (tw < 0 || tw % SW != 0 || tw / SW >= W) continue;
                sum += xc[(th / SH) * W + tw / SW] * wc[r * KW + s];
            }
        }
    }
    if (has_bias) sum += bias[bias_off + m];
    y[y_off + i] = activate(sum, act_kind, act);
}
