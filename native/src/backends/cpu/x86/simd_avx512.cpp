// The AVX-512F microkernels (12x32 GEMM tile). The library is built for the baseline x86-64, so these functions
// carry a target attribute and are only called when the CPU reports AVX-512F. On cores with full-width
// 512-bit FMA units (Zen 5, Intel server cores) they double the AVX2 tables' peak; on Zen 4 (two 256-bit halves) they
// still gain from 32 registers and a larger tile.
#include "backends/cpu/simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// GCC 12 warns that its own _mm512_max_ps/_mm512_min_ps read an undefined register (their masked form's unused
// source operand); the code is correct.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace lite::backend::cpu {
namespace {

#define EL_TARGET __attribute__((target("avx512f")))
#define EL_INLINE __attribute__((target("avx512f"), always_inline)) static inline

struct V {
    using reg = __m512;
    static constexpr int width = 16;
    EL_INLINE reg load(const float* p) { return _mm512_loadu_ps(p); }
    EL_INLINE void store(float* p, reg a) { _mm512_storeu_ps(p, a); }
    EL_INLINE reg zero() { return _mm512_setzero_ps(); }
    EL_INLINE reg set1(float x) { return _mm512_set1_ps(x); }
    EL_INLINE reg bcast(const float* p) { return _mm512_set1_ps(*p); }
    EL_INLINE reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
    EL_INLINE reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
    EL_INLINE reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
    EL_INLINE reg max(reg a, reg b) { return _mm512_max_ps(a, b); }
    EL_INLINE reg min(reg a, reg b) { return _mm512_min_ps(a, b); }
    // For exp and the functions built on it (memory_bound_kernels.inc).
    EL_INLINE reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
    EL_INLINE reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
    EL_INLINE reg round(reg a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
    //! 2^n for integral n in [-127, 127] (-127 gives 0).
    EL_INLINE reg pow2n(reg n) {
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
    }
    //! a < b ? x : y, lane by lane (false where a or b is NaN).
    EL_INLINE reg blend_lt(reg a, reg b, reg x, reg y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x); }
    //! The sum of the lanes (in a tree).
    EL_INLINE float reduce_add(reg a) { return _mm512_reduce_add_ps(a); }
};

// 24 accumulators, 2 B vectors and 1 broadcast of the 32 zmm registers.
constexpr int kMr = 12, kNrVec = 2;

#include "backends/cpu/simd_kernels.inc"

#undef EL_INLINE
#undef EL_TARGET

}  // namespace

const SimdKernels* avx512_simd() {
    static const bool supported = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f");
    }();
    if (!supported) return nullptr;
    static const SimdKernels kernels = make_simd_kernels("avx512_12x32");
    return &kernels;
}

}  // namespace lite::backend::cpu

#else

namespace lite::backend::cpu {
const SimdKernels* avx512_simd() { return nullptr; }
}  // namespace lite::backend::cpu

#endif
