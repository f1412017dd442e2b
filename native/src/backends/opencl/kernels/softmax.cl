// Softmax along one axis: one work-group per row of n elements `inner` apart (row r starts at
// (r / inner) * n * inner + r % inner), max and sum reduced in local memory.
__kernel void softmax(__global const float* x, int x_off, __global float* y, int y_off, int n, int inner,
                      __local float* scratch) {
    const int r = get_group_id(0), l = get_local_id(0), L = get_local_size(0);
    const int base = (r / inner) * n * inner + r % inner;
    __global const float* xr = x + x_off + base;
    __global float* yr = y + y_off + base;
    float m = -INFINITY;
    for (int j = l; j < n; j += L) m = fmax(m, xr[j * inner]);
    scratch[l] = m;
    for (int span = L / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < span) scratch[l] = fmax(scratch[l], scratch[l + span]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    m = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    float s = 0.f;
    for (int j = l; j < n; j += L) {
        const float e = exp(xr[j * inner] - m);
        yr[j * inner] = e;
        s += e;
    }
    scratch[l] = s;
    for (int span = L / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < span) scratch[l] += scratch[l + span];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    s = scratch[0];
    for (int j = l; j < n; j += L) yr[j * inner] /= s;
}
