// Data movement over 4-byte elements (float32, int32), moved as bits: strided gathers (Slice, Transpose, Expand),
// row copies (Concat into offset slices) and Pad. Shapes are padded to rank 6 with leading 1s.

// y[i] = x[offset6(i)]: the output's dims and, per output dim, the input stride (Transpose: permuted strides;
// Slice: strides times steps, the start folded into x_off; negative steps walk backwards).
__kernel void gather_strided(__global const uint* x, int x_off, __global uint* y, int y_off, int count, int8 dims,
                             int8 st) {
    const int i = get_global_id(0);
    if (i >= count) return;
    y[y_off + i] = x[x_off + offset6(i, dims, st)];
}

// rows x row_len elements from x (rows x_stride apart) to y (rows y_stride apart).
__kernel void copy_rows(__global const uint* x, int x_off, int x_stride, __global uint* y, int y_off, int y_stride,
                        int row_len, int count) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const int r = i / row_len, c = i % row_len;
    y[y_off + r * y_stride + c] = x[x_off + r * x_stride + c];
}

#define PAD_CONSTANT 0
#define PAD_REFLECT 1
#define PAD_EDGE 2
#define PAD_WRAP 3

// Output index o along a dim of size n padded by `begin` in front: the input index, or -1 for the constant.
inline int pad_source(int o, int begin, int n, int mode) {
    int i = o - begin;
    if (i >= 0 && i < n) return i;
    switch (mode) {
        case PAD_EDGE: return i < 0 ? 0 : n - 1;
        case PAD_WRAP: return ((i % n) + n) % n;
        case PAD_REFLECT: {
            const int period = 2 * (n - 1);
            if (period == 0) return 0;
            i = ((i % period) + period) % period;
            return i >= n ? period - i : i;
        }
        default: return -1;
    }
}

__kernel void pad(__global const uint* x, int x_off, __global uint* y, int y_off, int count, int8 out_dims,
                  int8 in_dims, int8 begin, int8 in_st, int mode, uint value) {
    const int i = get_global_id(0);
    if (i >= count) return;
    int od[8], id[8], b[8], st[8];  // vectors are not indexable in OpenCL C 1.2
    vstore8(out_dims, 0, od);
    vstore8(in_dims, 0, id);
    vstore8(begin, 0, b);
    vstore8(in_st, 0, st);
    int rem = i, src = 0;
    for (int d = 5; d >= 0; --d) {
        const int o = rem % od[d];
        rem /= od[d];
        const int s = pad_source(o, b[d], id[d], mode);
        if (s < 0) {
            y[y_off + i] = value;
            return;
        }
        src += s * st[d];
    }
    y[y_off + i] = x[x_off + src];
}
