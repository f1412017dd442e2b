// The CPU backend's SIMD microkernels, one table per instruction set: AVX2+FMA (x86/simd_avx2.cpp), NEON
// (arm/simd_neon.cpp) and a portable one (simd_generic.cpp). All are written once, in simd_kernels.inc, over a
// small vector type; the table for this CPU is chosen at run time, in one place (best_simd()).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op.h"

namespace lite::backend::cpu {

//! What is applied to each output element after the dot products: y = act(alpha * acc + beta * bias(row, col) + r),
//! where bias(row, col) = bias[row * bias_rs + col * bias_cs] (bias_cs is 0 or 1) or 0 without a bias. Rows and
//! columns are those of the whole output, so that a tile at (row0, col0) finds its bias values.
struct Epilogue {
    float alpha = 1.f, beta = 1.f;
    const float* bias = nullptr;
    int64_t bias_rs = 0, bias_cs = 0;
    ops::Activation act;
    //! A residual connection added before the activation: residual[row * residual_rs + col] for rows below
    //! residual_rows (rows past it get nothing: a residual padded with zero channels).
    const float* residual = nullptr;
    int64_t residual_rs = 0, residual_rows = 0;

    bool trivial() const { return alpha == 1.f && !bias && !residual && act.identity(); }
    const float* residual_row(int64_t row) const { return residual && row < residual_rows ? residual + row * residual_rs : nullptr; }
};

//! True when the activation has a vector form in the kernels (the others are applied with Activation::apply).
inline bool vector_activation(const ops::Activation& act) {
    if (act.kind == ops::Activation::Sigmoid || act.kind == ops::Activation::Tanh) return false;
    return act.kind != ops::Activation::Clip || act.min <= act.max;
}

struct SimdKernels {
    const char* name;  //!< "avx2_fma", "neon", "generic": ISA and tile say which code runs
    int mr, nr;        //!< GEMM register tile: rows of packed A panels, columns of packed B panels

    //! C[0:mr, 0:nr] (row stride ldc) = (accumulate ? C : 0) + A·B over kc, where a is a packed A panel (kc x MR,
    //! k-major) and b a B panel of kc rows of NR floats: row k at b + k * ldb (ldb = NR for a packed panel; B's own
    //! rows when it is read in place), or at b + b_offsets[k] when b_offsets is set (rows gathered from an image).
    //! mr <= MR and nr <= NR; the rest of the tile is computed on the panels' zero padding and not stored. With `ep`
    //! (the last K block), the epilogue is applied as the tile is stored; (row0, col0) is the tile's place in the
    //! whole output.
    void (*gemm)(int64_t kc, const float* a, const float* b, int64_t ldb, const int64_t* b_offsets, float* c, int64_t ldc,
                 int mr, int nr, bool accumulate, const Epilogue* ep, int64_t row0, int64_t col0);

    //! Applies `ep` to C[0:rows, 0:cols] (row stride ldc), a tile at (row0, col0) of the whole output.
    void (*epilogue)(float* c, int64_t ldc, int64_t rows, int64_t cols, int64_t row0, int64_t col0, const Epilogue& ep);

    //! One output row of a depthwise convolution: out[x] = act(bias + sum_t w[t] * taps[t][x]) for x < count.
    //! taps[t] points at the inputs of tap t for this row, contiguous in x (the caller pads and de-interleaves).
    void (*depthwise_row)(const float* const* taps, const float* w, int ntaps, int64_t count, float bias,
                          const ops::Activation& act, float* out);

    //! nrows output rows of count outputs (row i at out + i * out_stride) from row pointers, for the common kernels
    //! (3x3 and 5x5, column stride 1 or 2, column dilation 1): tap (ky, kx) of output x of row i is
    //! rows[ky * sw + kx % sw][i * in_stride + x + kx / sw]. False (nothing done) for other kernels.
    bool (*depthwise_rows)(const float* const* rows, int kh, int kw, int sw, const float* w, int64_t count, int64_t nrows,
                           int64_t in_stride, int64_t out_stride, float bias, const ops::Activation& act, float* out);

    //! 2 * pairs output rows (out + r * out_stride) of a 3x3 depthwise convolution with stride and dilation 1, two at
    //! a time: input row r + ky (in + (r + ky) * in_stride), padded so that its element x + kx is the input of output
    //! x at tap (ky, kx). Each input vector loaded serves both rows of a pair.
    void (*depthwise3x3_rows2)(const float* in, int64_t in_stride, int64_t pairs, const float* w, int64_t count, float bias,
                               const ops::Activation& act, float* out, int64_t out_stride);

    //! even[i] = src[2i], odd[i] = src[2i + 1] for i < pairs: stride-2 columns split by phase.
    void (*deinterleave2)(const float* src, int64_t pairs, float* even, float* odd);
    //! The same for `rows` rows: src + r * src_stride into even + r * dst_stride and odd + r * dst_stride.
    void (*deinterleave2_rows)(const float* src, int64_t src_stride, int64_t pairs, int64_t rows, float* even, float* odd,
                               int64_t dst_stride);
    //! dst + r * dst_stride = src + r * src_stride, n floats, for r < rows (rows not overlapping).
    void (*copy_rows)(const float* src, int64_t src_stride, int64_t n, int64_t rows, float* dst, int64_t dst_stride);

    // Winograd F(4x4, 3x3) convolution (winograd.cpp; the layouts are described in winograd_kernels.inc). Blocks
    // of at most kWinogradTiles tiles and kWinogradKc input channels; fixed strides (floats) between the phase
    // planes and between the GEMM B operands of the 36 products, so that the transforms address them as constants.
    static constexpr int64_t kWinogradTiles = 128, kWinogradKc = 128;
    static constexpr int64_t kWinogradPlaneStride = kWinogradTiles + 48;
    static constexpr int64_t kWinogradVStride = kWinogradTiles * kWinogradKc + 16;
    //! Phase planes of six input rows: out[(4r + q) * kWinogradPlaneStride + i] = plane[(y0 + r) * w + x0 + 4i + q]
    //! (r < 6, q < 4, i < count), 0 outside the h x w plane; may write garbage to lanes [count, count + 16).
    void (*winograd43_split)(const float* plane, int64_t h, int64_t w, int64_t y0, int64_t x0, int64_t count,
                             float* out);
    //! Input transform B^T d B of one channel for panels * nr tiles read from phase planes, into GEMM B panels.
    void (*winograd43_input)(const float* planes, int64_t panels, float* v, int64_t panel_stride);
    //! Output transform A^T m A of one map for count tiles (a multiple of the vector width), with bias and the
    //! activation, into 16 output planes of stride ps.
    void (*winograd43_output)(const float* m, int64_t t_stride, int64_t count, float bias,
                              const ops::Activation& act, float* out, int64_t ps);
    //! An output row from four output planes: out[4i + x] = planes[x * ps + i] for 4i + x < limit, i < count.
    void (*winograd43_merge)(const float* planes, int64_t ps, int64_t count, int64_t limit, float* out);

    // The memory-bound kernels (pool_kernel.cpp, softmax_kernel.cpp, activation_kernel.cpp, transpose_kernel.cpp;
    // the code is in memory_bound_kernels.inc). Where a function takes x and y, y may be x.
    //! y[i] = exp(x[i]), within about 2 ulp; 0 below ln(FLT_MIN) (where the true values are subnormal), +inf above
    //! ln(FLT_MAX), NaN for NaN.
    void (*exp)(const float* x, int64_t n, float* y);
    //! y[i] = 1 / (1 + exp(-x[i])), as e / (1 + e) with e = exp(x[i]) for negative x[i] (no overflow).
    void (*sigmoid)(const float* x, int64_t n, float* y);
    //! y[i] = tanh(x[i]).
    void (*tanh)(const float* x, int64_t n, float* y);
    //! The largest of x[0:n], -inf for n = 0. A NaN is skipped as std::max skips it, except on NEON, where the
    //! result is NaN.
    float (*row_max)(const float* x, int64_t n);
    //! x[0] + ... + x[n - 1], in lane order.
    float (*row_sum)(const float* x, int64_t n);
    //! The sum of exp(x[i] - shift) over i < n; each term is also stored in y[i] unless y is null.
    float (*exp_sum)(const float* x, int64_t n, float shift, float* y);
    //! y = softmax(x[0:n]) = exp(x - max) / sum; NaN throughout where x holds a NaN or +inf or only -inf.
    void (*softmax_row)(const float* x, int64_t n, float* y);
    //! out[i] = max over t < count of src[t][i] for i < n (count >= 1). False when a value read was NaN or infinite:
    //! out then holds no defined maxima (the caller recomputes them with the reference's NaN rule).
    bool (*max_arrays)(const float* const* src, int count, int64_t n, float* out);
    //! out[i] = src[0][i] + ... + src[count - 1][i] for i < n (count >= 1).
    void (*sum_arrays)(const float* const* src, int count, int64_t n, float* out);
    //! out[i] = max over t < count of src[t][2i] and src[t][2i + 1] for i < pairs (count >= 1): a pool's 2-wide,
    //! stride-2 windows straight from its input rows. False when a NaN was read (out is then not defined).
    bool (*max_pairs)(const float* const* src, int count, int64_t pairs, float* out);
    //! out[c][i] = in[i * k + c] for i < n, c < k, 2 <= k <= 4: n records of k 32-bit fields split into k arrays
    //! (a transpose with a narrow side, as NHWC -> NCHW with 3 channels; transpose_kernel.cpp).
    void (*split_fields32)(const uint32_t* in, int64_t n, int k, uint32_t* const* out);
    //! The reverse: out[i * k + c] = in[c][i].
    void (*merge_fields32)(const uint32_t* const* in, int64_t n, int k, uint32_t* out);
};

//! The fastest table this CPU runs (chosen once, by CPU features).
const SimdKernels& best_simd();
//! Every table this CPU can run, fastest first (tests hold each of them to the reference kernels).
std::vector<const SimdKernels*> available_simd();

//! The tables of each instruction set; nullptr where this build or CPU lacks it.
const SimdKernels* generic_simd();
const SimdKernels* avx2_fma_simd();
const SimdKernels* avx512_simd();
const SimdKernels* neon_simd();

}  // namespace lite::backend::cpu
