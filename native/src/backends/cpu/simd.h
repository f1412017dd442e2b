// The CPU backend's SIMD microkernels, one table per instruction set: AVX2+FMA (x86/simd_avx2.cpp), NEON
// (arm/simd_neon.cpp) and a portable one (simd_generic.cpp). All are written once, in simd_kernels.inc, over a
// small vector type; the table for this CPU is chosen at run time, in one place (best_simd()).
#pragma once

#include <cstdint>
#include <vector>

#include "ops/op.h"

namespace lite::backend::cpu {

//! What is applied to each output element after the dot products: y = act(alpha * acc + beta * bias(row, col)),
//! where bias(row, col) = bias[row * bias_rs + col * bias_cs] (bias_cs is 0 or 1) or 0 without a bias. Rows and
//! columns are those of the whole output, so that a tile at (row0, col0) finds its bias values.
struct Epilogue {
    float alpha = 1.f, beta = 1.f;
    const float* bias = nullptr;
    int64_t bias_rs = 0, bias_cs = 0;
    ops::Activation act;

    bool trivial() const { return alpha == 1.f && !bias && act.identity(); }
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
    //! k-major) and b a packed B panel (kc x NR, k-major). mr <= MR and nr <= NR; the rest of the tile is computed
    //! on the panels' zero padding and not stored. With `ep` (the last K block), the epilogue is applied as the
    //! tile is stored; (row0, col0) is the tile's place in the whole output.
    void (*gemm)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr, int nr, bool accumulate,
                 const Epilogue* ep, int64_t row0, int64_t col0);

    //! Applies `ep` to C[0:rows, 0:cols] (row stride ldc), a tile at (row0, col0) of the whole output.
    void (*epilogue)(float* c, int64_t ldc, int64_t rows, int64_t cols, int64_t row0, int64_t col0, const Epilogue& ep);

    //! One output row of a depthwise convolution: out[x] = act(bias + sum_t w[t] * taps[t][x]) for x < count.
    //! taps[t] points at the inputs of tap t for this row, contiguous in x (the caller pads and de-interleaves).
    void (*depthwise_row)(const float* const* taps, const float* w, int ntaps, int64_t count, float bias,
                          const ops::Activation& act, float* out);

    //! Two consecutive output rows of a 3x3 depthwise convolution with stride and dilation 1: rows[0..3] are the
    //! four input rows they read, padded so that rows[r][x + kx] is the input of output x at tap column kx.
    void (*depthwise3x3_rows2)(const float* const* rows, const float* w, int64_t count, float bias,
                               const ops::Activation& act, float* out0, float* out1);

    //! even[i] = src[2i], odd[i] = src[2i + 1] for i < pairs: stride-2 columns split by phase.
    void (*deinterleave2)(const float* src, int64_t pairs, float* even, float* odd);
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
