// The NEON microkernels (8x12 GEMM tile) for aarch64, where NEON is part of the baseline.
#include "backends/cpu/simd.h"

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

namespace lite::backend::cpu {
namespace {

#define EL_TARGET
#define EL_INLINE __attribute__((always_inline)) static inline

struct V {
    using reg = float32x4_t;
    static constexpr int width = 4;
    EL_INLINE reg load(const float* p) { return vld1q_f32(p); }
    EL_INLINE void store(float* p, reg a) { vst1q_f32(p, a); }
    EL_INLINE reg zero() { return vdupq_n_f32(0.f); }
    EL_INLINE reg set1(float x) { return vdupq_n_f32(x); }
    EL_INLINE reg bcast(const float* p) { return vld1q_dup_f32(p); }
    EL_INLINE reg add(reg a, reg b) { return vaddq_f32(a, b); }
    EL_INLINE reg mul(reg a, reg b) { return vmulq_f32(a, b); }
    EL_INLINE reg fma(reg a, reg b, reg c) { return vfmaq_f32(c, a, b); }
    EL_INLINE reg max(reg a, reg b) { return vmaxq_f32(a, b); }
    EL_INLINE reg min(reg a, reg b) { return vminq_f32(a, b); }
    // For exp and the functions built on it (memory_bound_kernels.inc).
    EL_INLINE reg sub(reg a, reg b) { return vsubq_f32(a, b); }
    EL_INLINE reg div(reg a, reg b) { return vdivq_f32(a, b); }
    EL_INLINE reg round(reg a) { return vrndnq_f32(a); }
    //! 2^n for integral n in [-127, 127] (-127 gives 0).
    EL_INLINE reg pow2n(reg n) { return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23)); }
    //! a < b ? x : y, lane by lane (false where a or b is NaN).
    EL_INLINE reg blend_lt(reg a, reg b, reg x, reg y) { return vbslq_f32(vcltq_f32(a, b), x, y); }
    //! The sum of the lanes (in a tree).
    EL_INLINE float reduce_add(reg a) { return vaddvq_f32(a); }
};

// 24 accumulators, 3 B vectors and a broadcast of the 32 q registers.
constexpr int kMr = 8, kNrVec = 3;

#include "backends/cpu/simd_kernels.inc"

#undef EL_INLINE
#undef EL_TARGET

}  // namespace

const SimdKernels* neon_simd() {
    static const SimdKernels kernels = make_simd_kernels("neon_8x12");
    return &kernels;
}

}  // namespace lite::backend::cpu

#else

namespace lite::backend::cpu {
const SimdKernels* neon_simd() { return nullptr; }
}  // namespace lite::backend::cpu

#endif
