// Elementwise kernels over float32: numpy-broadcasting binary ops (the output's dims and each input's strides,
// 0 on broadcast dims, up to rank 6) and the activation epilogue as a kernel of its own (with a per-channel bias).
#define BINARY_ADD 0
#define BINARY_SUB 1
#define BINARY_MUL 2
#define BINARY_DIV 3
#define BINARY_PRELU 4

__kernel void binary(__global const float* a, int a_off, __global const float* b, int b_off, __global float* y,
                     int y_off, int op, int count, int8 dims, int8 a_st, int8 b_st, int act_kind, float8 act) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const float u = a[a_off + offset6(i, dims, a_st)], v = b[b_off + offset6(i, dims, b_st)];
    float r;
    switch (op) {
        case BINARY_ADD: r = u + v; break;
        case BINARY_SUB: r = u - v; break;
        case BINARY_MUL: r = u * v; break;
        case BINARY_DIV: r = u / v; break;
        default: r = u < 0.f ? v * u : u; break;
    }
    y[y_off + i] = activate(r, act_kind, act);
}

// y = act(x + bias[channel]) over (outer, channels, inner); the bias is optional.
__kernel void bias_activation(__global const float* x, int x_off, __global const float* bias, int bias_off,
                              int has_bias, __global float* y, int y_off, int count, int channels, int inner,
                              int act_kind, float8 act) {
    const int i = get_global_id(0);
    if (i >= count) return;
    float v = x[x_off + i];
    if (has_bias) v += bias[bias_off + (i / inner) % channels];
    y[y_off + i] = activate(v, act_kind, act);
}
