// ReduceMean over any set of axes: one work-item per output. The host splits the input dims into kept ones
// (kept, with their input strides) and reduced ones (red, with theirs), each padded to 6 with leading 1s.
__kernel void reduce_mean(__global const float* x, int x_off, __global float* y, int y_off, int count, int8 kept,
                          int8 kept_st, int8 red, int8 red_st, int red_count) {
    const int i = get_global_id(0);
    if (i >= count) return;
    if (red_count == 0) {  // the mean of nothing, as the reference
        y[y_off + i] = NAN;
        return;
    }
    __global const float* xb = x + x_off + offset6(i, kept, kept_st);
    // The innermost reduced dim as a strided loop, the others decomposed.
    const int inner = red.s5, inner_st = red_st.s5;
    int8 outer = red;
    outer.s5 = 1;
    float sum = 0.f;
    for (int o = 0; o < red_count / inner; ++o) {
        __global const float* xo = xb + offset6(o, outer, red_st);
        for (int j = 0; j < inner; ++j) sum += xo[j * inner_st];
    }
    y[y_off + i] = sum / (float)red_count;
}
