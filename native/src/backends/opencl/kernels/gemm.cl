// Batched GEMM with local-memory tiles: Y = act(alpha * A' B' + beta * C) for each of up to 4 batch dims (z of the
// grid). A' (M, K) and B' (K, N) are read through (row, col) strides, so transposes, Conv 1x1 and MatMul's
// broadcast batches need no copies; C (bias) broadcasts through its strides (0 on broadcast dims). Each batch
// dim has its own stride per tensor (0 where a MatMul input is broadcast).
#define GEMM_TILE 16

__kernel __attribute__((reqd_work_group_size(GEMM_TILE, GEMM_TILE, 1)))
void gemm(__global const float* a, int a_off, int2 a_st, __global const float* b, int b_off, int2 b_st,
          __global const float* c, int c_off, int2 c_st, int has_c, __global float* y, int y_off, int y_row,
          int4 mnk, float2 alpha_beta, int4 batch, int4 a_bs, int4 b_bs, int4 c_bs, int4 y_bs, int act_kind,
          float8 act) {
    const int M = mnk.s0, N = mnk.s1, K = mnk.s2;
    const int lj = get_local_id(0), li = get_local_id(1);
    const int j = get_group_id(0) * GEMM_TILE + lj, i = get_group_id(1) * GEMM_TILE + li;
    int z = get_global_id(2), d;
    d = z % batch.s3; z /= batch.s3; a_off += d * a_bs.s3; b_off += d * b_bs.s3; c_off += d * c_bs.s3; y_off += d * y_bs.s3;
    d = z % batch.s2; z /= batch.s2; a_off += d * a_bs.s2; b_off += d * b_bs.s2; c_off += d * c_bs.s2; y_off += d * y_bs.s2;
    d = z % batch.s1; z /= batch.s1; a_off += d * a_bs.s1; b_off += d * b_bs.s1; c_off += d * c_bs.s1; y_off += d * y_bs.s1;
    a_off += z * a_bs.s0; b_off += z * b_bs.s0; c_off += z * c_bs.s0; y_off += z * y_bs.s0;
    __local float ta[GEMM_TILE][GEMM_TILE + 1], tb[GEMM_TILE][GEMM_TILE + 1];
    float sum = 0.f;
    for (int p0 = 0; p0 < K; p0 += GEMM_TILE) {
        const int ap = p0 + lj, bp = p0 + li;
        ta[li][lj] = i < M && ap < K ? a[a_off + i * a_st.s0 + ap * a_st.s1] : 0.f;
        tb[li][lj] = bp < K && j < N ? b[b_off + bp * b_st.s0 + j * b_st.s1] : 0.f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int q = 0; q < GEMM_TILE; ++q) sum += ta[li][q] * tb[q][lj];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i >= M || j >= N) return;
    float v = alpha_beta.s0 * sum;
    if (has_c) v += alpha_beta.s1 * c[c_off + i * c_st.s0 + j * c_st.s1];
    y[y_off + i * y_row + j] = activate(v, act_kind, act);
}
