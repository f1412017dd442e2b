// The packed SGEMM core of the CPU backend: C = epilogue(A · B) with A packed into register-tile panels (once at
// load for constant weights), B packed block by block from any source (a matrix, an image through im2col, or
// panels packed at load), cache blocking over K (KC) and N (NC), and tiles spread over the thread pool.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "backends/cpu/simd.h"

namespace lite::backend::cpu {

//! Blocking and threading parameters. Defaults suit 32-64 KiB L1 and 0.5-1 MiB L2 per core; tests shrink
//! them to cover multi-block paths on small shapes. Change them only while no kernel runs.
struct GemmTuning {
    int64_t kc = 256;               //!< K block: a kc x NR panel of B stays in L1
    int64_t nc = 256;               //!< N block per task: a kc x nc block of B stays in L2
    //! Below this much work (in GEMM flops), a kernel runs on the calling thread only. Within a forward the pool's
    //! workers spin between ops, so a parallel_for costs a few us (BlazeFace at 2 threads: 16e6 → 1e6 took
    //! 3.7 → 2.7 ms); only the first op after an idle gap pays ~40-50 us to wake a sleeping worker.
    double serial_flops = 1e6;
    int64_t cols_floats = 1 << 18;  //!< ConvTranspose's cols buffer (GEMM output before col2im), per thread
    //! The same gate for the memory-bound kernels (pools, Transpose, Softmax, activations; parallel_if in
    //! fast_kernels.h), in floats read plus written as a pool moves them (~0.1 ns each here): ~6.5 us on one
    //! thread, as serial_flops. A sleeping worker costs them little more: their loops are split in a few large
    //! chunks, and the caller runs a chunk that no worker has claimed yet itself.
    double serial_floats = 1 << 16;
};
GemmTuning& gemm_tuning();

//! K split into equal blocks of at most gemm_tuning().kc; packed A and B of one product use the same blocks.
int64_t k_block_size(int64_t k);

//! Float memory aligned to a cache line, grown on demand, never shrunk.
class AlignedBuffer {
public:
    float* ensure(size_t count);
    float* data() const { return m_data.get(); }

private:
    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    std::unique_ptr<float, Free> m_data;
    size_t m_capacity = 0;
};

//! A (M x K) packed for the microkernel: per K block (k0, klen), ceil(M / MR) panels of klen x MR, k-major,
//! rows past M zero.
struct PackedA {
    const SimdKernels* simd = nullptr;
    int64_t m = 0, k = 0, kc = 0, mpad = 0;
    AlignedBuffer buffer;

    const float* panel(int64_t k0, int64_t klen, int64_t row) const { return buffer.data() + k0 * mpad + row * klen; }
};
//! Packs A(i, p) = a[i * rs + p * cs] with K blocks of kc.
void pack_a(const SimdKernels& simd, const float* a, int64_t rs, int64_t cs, int64_t m, int64_t k, int64_t kc, PackedA& out);

//! Where the B operand (K x N) comes from.
class BSource {
public:
    virtual ~BSource() = default;
    //! The panels of B[k0 : k0 + kc, n0 : n0 + nc] (n0 a multiple of nr): ceil(nc / nr) panels of kc x nr, k-major,
    //! columns past nc zero. Packs them into dst (room for kc * roundup(nc, nr) floats) or returns panels packed
    //! before. Called concurrently from several threads, each with its own dst.
    virtual const float* panels(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* dst) const = 0;
    //! Where a full panel (columns n0 to n0 + nr, rows from k0 on) already is in memory, when B's layout lets the
    //! microkernel read it in place instead of packed (worth it when few A panels reuse each packed one):
    //! B(k0 + p, n0 + j) = data[p * ldb + j], or data[offsets[p] + j] when offsets is set.
    struct PanelRef {
        const float* data = nullptr;
        int64_t ldb = 0;
        const int64_t* offsets = nullptr;
    };
    virtual bool panel_in_place(int64_t /*k0*/, int64_t /*n0*/, int /*nr*/, PanelRef& /*out*/) const { return false; }
};

//! B(p, j) = b[p * rs + j * cs].
class StridedB final : public BSource {
public:
    StridedB(const float* b, int64_t rs, int64_t cs) : m_b(b), m_rs(rs), m_cs(cs) {}
    const float* panels(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* dst) const override;
    //! Contiguous rows (cs = 1) are read in place.
    bool panel_in_place(int64_t k0, int64_t n0, int /*nr*/, PanelRef& out) const override {
        out = {m_b + k0 * m_rs + n0, m_rs, nullptr};
        return m_cs == 1;
    }

private:
    template <int kNr>
    void pack_rows(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* dst) const;
    const float* m_b;
    int64_t m_rs, m_cs;
};

//! B (K x N) packed whole, for constant weights: per K block, ceil(N / NR) panels of klen x NR.
struct PackedB {
    const SimdKernels* simd = nullptr;
    int64_t k = 0, n = 0, kc = 0, npad = 0;
    AlignedBuffer buffer;
};
void pack_b(const SimdKernels& simd, const float* b, int64_t rs, int64_t cs, int64_t k, int64_t n, int64_t kc, PackedB& out);

class PackedBSource final : public BSource {
public:
    explicit PackedBSource(const PackedB& b) : m_b(b) {}
    const float* panels(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* dst) const override;

private:
    const PackedB& m_b;
};

//! C (M x N, row stride ldc) = ep(A · B), M and K from `a`. With `parallel`, tiles are spread over it once the
//! product is large enough; nullptr runs on the calling thread.
void sgemm(const PackedA& a, const BSource& b, int64_t n, float* c, int64_t ldc, const Epilogue& ep,
           const ops::ParallelFor* parallel);

//! 2 * M * N * K as a double.
inline double gemm_flops(int64_t m, int64_t n, int64_t k) { return 2.0 * double(m) * double(n) * double(k); }

}  // namespace lite::backend::cpu
