// The portable microkernels: plain C++ over 4-float vectors, which compilers map onto the baseline SIMD
// (SSE2, NEON). They run where no tuned table applies and are held to the reference kernels like the others.
#include "backends/cpu/simd.h"

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
