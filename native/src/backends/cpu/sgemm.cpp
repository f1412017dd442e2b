// The SGEMM driver: packing and the blocked loop nest around the microkernels of simd.h.
//
// Loop nest of one task (an N block of width nc and a range of A panels):
//   for each K block (kc):      pack B[k block, n block] into a per-thread buffer (L2), or find it prepacked
//     for each A panel (MR rows): the kc x MR panel stays in L1
//       for each B panel (NR):     microkernel MR x NR over kc, accumulating into C after the first K block
//         in the last K block:      the epilogue (bias, alpha/beta, activation) as the tile leaves the registers
// Tasks are (N block, A panel range) pairs in N-block-major order; a thread given consecutive tasks of one N
// block packs that block of B once.
#include "backends/cpu/sgemm.h"

#include <algorithm>
#include <cstring>

#include "lite/error.h"

namespace lite::backend::cpu {
namespace {

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
int64_t div_up(int64_t x, int64_t by) { return (x + by - 1) / by; }

// At most this many A panels read B's panels in place (see BSource::rows).
constexpr int64_t kMaxPanelsForInPlaceB = 8;

// Per-thread scratch for packed B blocks; bounded by kc x nc of the tuning.
float* b_scratch(size_t count) {
    thread_local AlignedBuffer buffer;
    return buffer.ensure(count);
}

}  // namespace

GemmTuning& gemm_tuning() {
    static GemmTuning tuning;
    return tuning;
}

int64_t k_block_size(int64_t k) {
    const int64_t max_kc = std::max<int64_t>(gemm_tuning().kc, 1);
    const int64_t blocks = std::max<int64_t>(div_up(k, max_kc), 1);
    return std::max<int64_t>(div_up(k, blocks), 1);
}

float* AlignedBuffer::ensure(size_t count) {
    if (count > m_capacity || !m_data) {
        constexpr size_t kLine = 64;
        const size_t bytes = (std::max<size_t>(count, 1) * sizeof(float) + kLine - 1) / kLine * kLine;
        m_data.reset(static_cast<float*>(std::aligned_alloc(kLine, bytes)));
        if (!m_data) {
            m_capacity = 0;
            throw Error(ErrorCode::OutOfMemory, "cannot allocate " + std::to_string(bytes) +
                                                    " bytes of kernel scratch memory: free memory or use smaller tensors");
        }
        m_capacity = count;
    }
    return m_data.get();
}

void pack_a(const SimdKernels& simd, const float* a, int64_t rs, int64_t cs, int64_t m, int64_t k, int64_t kc, PackedA& out) {
    const int64_t mr = simd.mr;
    out.simd = &simd;
    out.m = m;
    out.k = k;
    out.kc = kc;
    out.mpad = round_up(m, mr);
    float* base = out.buffer.ensure(static_cast<size_t>(out.mpad * k));
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
        const int64_t klen = std::min(kc, k - k0);
        for (int64_t row = 0; row < out.mpad; row += mr) {
            float* dst = base + k0 * out.mpad + row * klen;
            const int64_t rows = std::min(mr, m - row);
            for (int64_t p = 0; p < klen; ++p) {
                const float* src = a + row * rs + (k0 + p) * cs;
                for (int64_t i = 0; i < rows; ++i) dst[p * mr + i] = src[i * rs];
                for (int64_t i = rows; i < mr; ++i) dst[p * mr + i] = 0.f;
            }
        }
    }
}

const float* StridedB::panels(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* dst) const {
    if (m_cs == 1) {
        switch (nr) {
            case 32: pack_rows<32>(k0, kc, n0, nc, nr, dst); break;
            case 16: pack_rows<16>(k0, kc, n0, nc, nr, dst); break;
            case 12: pack_rows<12>(k0, kc, n0, nc, nr, dst); break;
            case 8: pack_rows<8>(k0, kc, n0, nc, nr, dst); break;
            default: pack_rows<0>(k0, kc, n0, nc, nr, dst); break;
        }
        return dst;
    }
    // Columns of B are contiguous (a transposed matrix) or strided: gather along k per column.
    for (int64_t j0 = 0; j0 < nc; j0 += nr) {
        float* panel = dst + j0 * kc;
        const int64_t cols = std::min<int64_t>(nr, nc - j0);
        for (int64_t j = 0; j < cols; ++j) {
            const float* src = m_b + k0 * m_rs + (n0 + j0 + j) * m_cs;
            for (int64_t p = 0; p < kc; ++p) panel[p * nr + j] = src[p * m_rs];
        }
        for (int64_t j = cols; j < nr; ++j) {
            for (int64_t p = 0; p < kc; ++p) panel[p * nr + j] = 0.f;
        }
    }
    return dst;
}

// Rows of B are contiguous: each row of the block is read once, front to back, into nr-float pieces of every
// panel (rows far apart in memory are not interleaved, which the prefetchers handle badly). kNr: nr when known at
// compile time (0: nr), so that each piece is one fixed-size copy.
template <int kNr>
void StridedB::pack_rows(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr_runtime, float* dst) const {
    const int64_t nr = kNr ? kNr : nr_runtime;
    const int64_t full = nc / nr * nr;
    for (int64_t p = 0; p < kc; ++p) {
        const float* src = m_b + (k0 + p) * m_rs + n0;
        float* out = dst + p * nr;
        for (int64_t j0 = 0; j0 < full; j0 += nr) std::memcpy(out + j0 * kc, src + j0, sizeof(float) * static_cast<size_t>(nr));
        if (full < nc) {
            std::memcpy(out + full * kc, src + full, sizeof(float) * static_cast<size_t>(nc - full));
            std::memset(out + full * kc + (nc - full), 0, sizeof(float) * static_cast<size_t>(nr - (nc - full)));
        }
    }
}

void pack_b(const SimdKernels& simd, const float* b, int64_t rs, int64_t cs, int64_t k, int64_t n, int64_t kc, PackedB& out) {
    const int64_t nr = simd.nr;
    out.simd = &simd;
    out.k = k;
    out.n = n;
    out.kc = kc;
    out.npad = round_up(n, nr);
    float* base = out.buffer.ensure(static_cast<size_t>(out.npad * k));
    StridedB source(b, rs, cs);
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
        const int64_t klen = std::min(kc, k - k0);
        source.panels(k0, klen, 0, n, static_cast<int>(nr), base + k0 * out.npad);
    }
}

const float* PackedBSource::panels(int64_t k0, int64_t kc, int64_t n0, int64_t, int nr, float*) const {
    if (nr != m_b.simd->nr || (k0 % m_b.kc) != 0 || kc != std::min(m_b.kc, m_b.k - k0)) {
        throw Error(ErrorCode::Internal, "sgemm: B was packed for another tile or K blocking");
    }
    return m_b.buffer.data() + k0 * m_b.npad + n0 * kc;
}

void sgemm(const PackedA& a, const BSource& b, int64_t n, float* c, int64_t ldc, const Epilogue& ep,
           const ops::ParallelFor* parallel) {
    const SimdKernels& simd = *a.simd;
    const int64_t m = a.m, k = a.k, kc = a.kc;
    const int64_t mr = simd.mr, nr = simd.nr;
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (int64_t i = 0; i < m; ++i) std::memset(c + i * ldc, 0, sizeof(float) * static_cast<size_t>(n));
        if (!ep.trivial()) simd.epilogue(c, ldc, m, n, 0, 0, ep);
        return;
    }
    const GemmTuning& tuning = gemm_tuning();
    const bool serial = !parallel || gemm_flops(m, n, k) < tuning.serial_flops;
    // N blocks of nct columns; A panels grouped into m_chunks ranges so that there are enough tasks to balance.
    const int64_t nct = std::min(round_up(n, nr), round_up(std::max<int64_t>(tuning.nc, 1), nr));
    const int64_t n_chunks = div_up(n, nct);
    const int64_t m_panels = div_up(m, mr);
    constexpr int64_t kMinTasks = 8;
    const int64_t m_split = serial ? 1 : std::clamp<int64_t>(div_up(kMinTasks, n_chunks), 1, m_panels);
    const int64_t mct = div_up(m_panels, m_split) * mr;
    const int64_t m_chunks = div_up(m, mct);
    const int64_t tasks = n_chunks * m_chunks;
    const bool epilogue = !ep.trivial();
    // With few A panels a packed B panel is reused too little to pay for its copy: full panels are read in place
    // where B allows it.
    const bool few_panels = m_panels <= kMaxPanelsForInPlaceB;

    auto run = [&](int64_t t_begin, int64_t t_end) {
        float* scratch = b_scratch(static_cast<size_t>(std::min(kc, k) * nct));
        thread_local std::vector<BSource::PanelRef> in_place;  // the current block's full panels, when read in place
        in_place.resize(static_cast<size_t>(div_up(nct, nr)));
        for (int64_t t = t_begin; t < t_end;) {
            const int64_t chunk = t / m_chunks, mc0 = t % m_chunks;
            const int64_t mc1 = std::min(m_chunks, mc0 + (t_end - t));
            t += mc1 - mc0;
            const int64_t n0 = chunk * nct, nc = std::min(nct, n - n0);
            const int64_t m0 = mc0 * mct, m1 = std::min(m, mc1 * mct);
            for (int64_t k0 = 0; k0 < k; k0 += kc) {
                const int64_t klen = std::min(kc, k - k0);
                const bool last = k0 + klen >= k;
                // Columns [0, full) of the block are read in place: all full panels, when each of them can be.
                int64_t full = few_panels ? nc / nr * nr : 0;
                for (int64_t j = 0; j < full; j += nr) {
                    if (!b.panel_in_place(k0, n0 + j, static_cast<int>(nr), in_place[static_cast<size_t>(j / nr)])) full = 0;
                }
                const float* bp = full < nc ? b.panels(k0, klen, n0 + full, nc - full, static_cast<int>(nr), scratch) : nullptr;
                const Epilogue* tile_ep = last && epilogue ? &ep : nullptr;
                for (int64_t i = m0; i < m1; i += mr) {
                    const float* ap = a.panel(k0, klen, i);
                    const int rows = static_cast<int>(std::min(mr, m - i));
                    float* c_rows = c + i * ldc + n0;
                    for (int64_t j = 0; j < nc; j += nr) {
                        const int cols = static_cast<int>(std::min(nr, nc - j));
                        if (j < full) {
                            const BSource::PanelRef& r = in_place[static_cast<size_t>(j / nr)];
                            simd.gemm(klen, ap, r.data, r.ldb, r.offsets, c_rows + j, ldc, rows, cols, k0 > 0, tile_ep, i, n0 + j);
                        } else {
                            simd.gemm(klen, ap, bp + (j - full) * klen, nr, nullptr, c_rows + j, ldc, rows, cols, k0 > 0, tile_ep,
                                      i, n0 + j);
                        }
                    }
                }
            }
        }
    };
    if (serial || tasks == 1) {
        run(0, tasks);
    } else {
        (*parallel)(tasks, run);
    }
}

}  // namespace lite::backend::cpu
