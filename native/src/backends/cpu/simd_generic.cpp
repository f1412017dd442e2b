// The portable microkernels: plain C++ over 4-float vectors, which compilers map onto the baseline SIMD
// (SSE2, NEON). They run where no tuned table applies and are held to the reference kernels like the others.
#include "backends/cpu/simd.h"

#include <cmath>
#include <cstring>

namespace lite::backend::cpu {
namespace {

#define EL_TARGET

struct V {
    struct reg {
        float v[4];
    };
    static constexpr int width = 4;
    static reg load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
    static void store(float* p, reg a) {
        for (int i = 0; i < 4; ++i) p[i] = a.v[i];
    }
    static reg zero() { return {{0.f, 0.f, 0.f, 0.f}}; }
    static reg set1(float x) { return {{x, x, x, x}}; }
    static reg bcast(const float* p) { return set1(*p); }
    static reg add(reg a, reg b) {
        for (int i = 0; i < 4; ++i) a.v[i] += b.v[i];
        return a;
    }
    static reg mul(reg a, reg b) {
        for (int i = 0; i < 4; ++i) a.v[i] *= b.v[i];
        return a;
    }
    static reg fma(reg a, reg b, reg c) {
        for (int i = 0; i < 4; ++i) c.v[i] += a.v[i] * b.v[i];
        return c;
    }
    static reg max(reg a, reg b) {
        for (int i = 0; i < 4; ++i) a.v[i] = a.v[i] > b.v[i] ? a.v[i] : b.v[i];
        return a;
    }
    static reg min(reg a, reg b) {
        for (int i = 0; i < 4; ++i) a.v[i] = a.v[i] < b.v[i] ? a.v[i] : b.v[i];
        return a;
    }
    // For exp and the functions built on it (memory_bound_kernels.inc).
    static reg sub(reg a, reg b) {
        for (int i = 0; i < 4; ++i) a.v[i] -= b.v[i];
        return a;
    }
    static reg div(reg a, reg b) {
        for (int i = 0; i < 4; ++i) a.v[i] /= b.v[i];
        return a;
    }
    static reg round(reg a) {
        for (int i = 0; i < 4; ++i) a.v[i] = std::nearbyint(a.v[i]);
        return a;
    }
    //! 2^n for integral n in [-127, 127] (-127 gives 0); a NaN gives 1 (the callers' results are NaN anyway).
    static reg pow2n(reg n) {
        for (int i = 0; i < 4; ++i) {
            const int32_t e = n.v[i] >= -127.f && n.v[i] <= 127.f ? static_cast<int32_t>(n.v[i]) : 0;
            const uint32_t bits = static_cast<uint32_t>(e + 127) << 23;
            std::memcpy(&n.v[i], &bits, sizeof bits);
        }
        return n;
    }
    //! a < b ? x : y, lane by lane (false where a or b is NaN).
    static reg blend_lt(reg a, reg b, reg x, reg y) {
        for (int i = 0; i < 4; ++i) y.v[i] = a.v[i] < b.v[i] ? x.v[i] : y.v[i];
        return y;
    }
    //! The sum of the lanes (in a tree).
    static float reduce_add(reg a) { return (a.v[0] + a.v[2]) + (a.v[1] + a.v[3]); }
};

constexpr int kMr = 4, kNrVec = 2;

#include "backends/cpu/simd_kernels.inc"

#undef EL_TARGET

}  // namespace

const SimdKernels* generic_simd() {
    static const SimdKernels kernels = make_simd_kernels("generic_4x8");
    return &kernels;
}

const SimdKernels& best_simd() {
    static const SimdKernels* best = available_simd().front();
    return *best;
}

std::vector<const SimdKernels*> available_simd() {
    std::vector<const SimdKernels*> tables;
    for (const SimdKernels* k : {avx512_simd(), avx2_fma_simd(), neon_simd(), generic_simd()}) {
        if (k) tables.push_back(k);
    }
    return tables;
}

}  // namespace lite::backend::cpu
