// Resize over the last two axes, with per-axis tap tables computed by the host (ClResizePlan): for each output
// row then each output column, `width` (input index, weight bits) pairs. taps: rows at 0, columns at
// 2 * OH * width_h. size: (H, W, OH, OW), widths: (width_h, width_w).

// Nearest: any 4-byte element type, moved as bits.
__kernel void resize_nearest(__global const uint* x, int x_off, __global uint* y, int y_off, int count,
                             __global const int* taps, int4 size) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const int H = size.s0, W = size.s1, OH = size.s2, OW = size.s3;
    const int ow = i % OW, oh = (i / OW) % OH, p = i / (OW * OH);
    const int ih = taps[2 * oh], iw = taps[2 * OH + 2 * ow];
    y[y_off + i] = x[x_off + (p * H + ih) * W + iw];
}

// Linear (and any other separable filter): rows first, then columns, as the reference's two passes; taps with
// weight 0 are skipped (0 * inf stays out).
__kernel void resize_linear(__global const float* x, int x_off, __global float* y, int y_off, int count,
                            __global const int* taps, int4 size, int2 widths) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const int H = size.s0, W = size.s1, OH = size.s2, OW = size.s3, TH = widths.s0, TW = widths.s1;
    const int ow = i % OW, oh = (i / OW) % OH, p = i / (OW * OH);
    __global const int* rows = taps + 2 * oh * TH;
    __global const int* cols = taps + 2 * OH * TH + 2 * ow * TW;
    __global const float* xp = x + x_off + p * H * W;
    float out = 0.f;
    for (int t = 0; t < TW; ++t) {
        const float wc = as_float(cols[2 * t + 1]);
        if (wc == 0.f) continue;
        const int iw = cols[2 * t];
        float column = 0.f;
        for (int u = 0; u < TH; ++u) {
            const float wr = as_float(rows[2 * u + 1]);
            if (wr != 0.f) column += wr * xp[rows[2 * u] * W + iw];
        }
        out += wc * column;
    }
    y[y_off + i] = out;
}
