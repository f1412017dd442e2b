// The AVX2+FMA microkernels (6x16 GEMM tile). The library is built for the baseline x86-64, so these functions
// carry a target attribute and are only called when the CPU reports AVX2 and FMA.
#include "backends/cpu/simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace lite::backend::cpu {
namespace {

#define EL_TARGET __attribute__((target("avx2,fma")))
#define EL_INLINE __attribute__((target("avx2,fma"), always_inline)) static inline

struct V {
    using reg = __m256;
    static constexpr int width = 8;
    EL_INLINE reg load(const float* p) { return _mm256_loadu_ps(p); }
    EL_INLINE void store(float* p, reg a) { _mm256_storeu_ps(p, a); }
    EL_INLINE reg zero() { return _mm256_setzero_ps(); }
    EL_INLINE reg set1(float x) { return _mm256_set1_ps(x); }
    EL_INLINE reg bcast(const float* p) { return _mm256_broadcast_ss(p); }
    EL_INLINE reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
    EL_INLINE reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
    EL_INLINE reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
    EL_INLINE reg max(reg a, reg b) { return _mm256_max_ps(a, b); }
    EL_INLINE reg min(reg a, reg b) { return _mm256_min_ps(a, b); }
    // For exp and the functions built on it (memory_bound_kernels.inc).
    EL_INLINE reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
    EL_INLINE reg div(reg a, reg b) { return _mm256_div_ps(a, b); }
    EL_INLINE reg round(reg a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
    //! 2^n for integral n in [-127, 127] (-127 gives 0).
    EL_INLINE reg pow2n(reg n) {
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
    }
    //! a < b ? x : y, lane by lane (false where a or b is NaN).
    EL_INLINE reg blend_lt(reg a, reg b, reg x, reg y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ)); }
    //! The sum of the lanes (in a tree).
    EL_INLINE float reduce_add(reg a) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    }
};

// 12 accumulators, 2 B vectors and 1 broadcast of the 16 ymm registers.
constexpr int kMr = 6, kNrVec = 2;

#include "backends/cpu/simd_kernels.inc"

#undef EL_INLINE
#undef EL_TARGET

}  // namespace

const SimdKernels* avx2_fma_simd() {
    static const bool supported = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }();
    if (!supported) return nullptr;
    static const SimdKernels kernels = make_simd_kernels("avx2_fma_6x16");
    return &kernels;
}

}  // namespace lite::backend::cpu

#else

namespace lite::backend::cpu {
const SimdKernels* avx2_fma_simd() { return nullptr; }
}  // namespace lite::backend::cpu

#endif
