// Transpose on the CPU backend, for elements of 1, 2, 4 or 8 bytes (any dtype). Dims of size 1 are dropped and
// input dims that stay adjacent and in order are merged; the permutations that then remain common are copies:
// an unchanged innermost dim moves as contiguous runs (memcpy), and [batch, A, B] -> [batch, B, A] (NHWC <->
// NCHW and every 2-D transpose) moves in cache blocks, or with a narrow side of 2 to 4 elements (few channels) in
// fixed-size loops, vectorised by the SIMD table for 32-bit elements.
// Other permutations run the reference kernel.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "backends/cpu/fast_kernels.h"
#include "ops/shape_common.h"

namespace lite::backend::cpu {
namespace {

// A permutation on merged dims: output dim i is input dim perm[i] of `dims` (the input shape).
struct MergedPermutation {
    std::vector<int64_t> dims, perm;
};

MergedPermutation merge_dims(const ops::Shape& shape, const std::vector<int64_t>& perm) {
    // Input dims kept (size > 1), renumbered in input order, and the output's order of them.
    std::vector<int64_t> index(shape.size(), -1), kept_sizes, order;
    for (size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == 1) continue;
        index[d] = static_cast<int64_t>(kept_sizes.size());
        kept_sizes.push_back(shape[d]);
    }
    for (int64_t p : perm) {
        if (index[static_cast<size_t>(p)] >= 0) order.push_back(index[static_cast<size_t>(p)]);
    }
    // Runs of consecutive input dims in the output order become one dim: group g starts at order[starts[g]].
    std::vector<size_t> starts;
    for (size_t i = 0; i < order.size(); ++i) {
        if (i == 0 || order[i] != order[i - 1] + 1) starts.push_back(i);
    }
    const size_t groups = starts.size();
    std::vector<int64_t> first(groups), size(groups, 1);
    for (size_t g = 0; g < groups; ++g) {
        const size_t end = g + 1 < groups ? starts[g + 1] : order.size();
        first[g] = order[starts[g]];
        for (size_t i = starts[g]; i < end; ++i) size[g] *= kept_sizes[static_cast<size_t>(order[i])];
    }
    // The groups in input order are the merged input dims.
    std::vector<size_t> by_input(groups);
    for (size_t g = 0; g < groups; ++g) by_input[g] = g;
    std::sort(by_input.begin(), by_input.end(), [&](size_t a, size_t b) { return first[a] < first[b]; });
    MergedPermutation m;
    m.dims.resize(groups);
    m.perm.resize(groups);
    for (size_t i = 0; i < groups; ++i) {
        m.dims[i] = size[by_input[i]];
        m.perm[by_input[i]] = static_cast<int64_t>(i);
    }
    return m;
}

// Output rows [begin, end) of a permutation whose innermost dim is unchanged: each row is a contiguous run of
// `inner` elements of the input, found with an odometer over the output's outer dims.
void copy_runs(const uint8_t* in, uint8_t* out, size_t elem, const MergedPermutation& m, int64_t begin, int64_t end) {
    const size_t outer = m.dims.size() - 1;
    const std::vector<int64_t> in_strides = ops::strides_of(m.dims);
    std::vector<int64_t> extent(outer), stride(outer), idx(outer);
    for (size_t d = 0; d < outer; ++d) {
        extent[d] = m.dims[static_cast<size_t>(m.perm[d])];
        stride[d] = in_strides[static_cast<size_t>(m.perm[d])];
    }
    int64_t rem = begin, offset = 0;
    for (size_t d = outer; d-- > 0;) {
        idx[d] = rem % extent[d];
        rem /= extent[d];
        offset += idx[d] * stride[d];
    }
    const size_t run = static_cast<size_t>(m.dims.back()) * elem;
    for (int64_t row = begin; row < end; ++row) {
        std::memcpy(out + static_cast<size_t>(row) * run, in + static_cast<size_t>(offset) * elem, run);
        for (size_t d = outer; d-- > 0;) {
            offset += stride[d];
            if (++idx[d] < extent[d]) break;
            offset -= stride[d] * extent[d];
            idx[d] = 0;
        }
    }
}

// Narrow sides (2 to 4 elements) in fixed-size loops; 32-bit elements through the SIMD table (vector permutes).
template <typename T, int kB>
void narrow_b(const T* in, T* out, int64_t a_count, int64_t a0, int64_t a1) {
    for (int64_t a = a0; a < a1; ++a) {
        for (int b = 0; b < kB; ++b) out[b * a_count + a] = in[a * kB + b];
    }
}

template <typename T, int kA>
void narrow_a(const T* in, T* out, int64_t b_count, int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
        for (int a = 0; a < kA; ++a) out[b * kA + a] = in[a * b_count + b];
    }
}

// Blocks of kBlock x kBlock elements: the rows read and the rows written of a block stay in L1.
constexpr int64_t kBlock = 32;
// Work items of a narrow transpose: this many records.
constexpr int64_t kNarrowItem = 1024;

// out (B x A) = the transpose of in (A x B), rows [a0, a1) of in.
template <typename T>
void transpose_rows(const SimdKernels& simd, const T* in, T* out, int64_t a_count, int64_t b_count, int64_t a0, int64_t a1) {
    if constexpr (std::is_same_v<T, uint32_t>) {
        if (b_count <= 4) {
            uint32_t* columns[4];
            for (int64_t b = 0; b < b_count; ++b) columns[b] = out + b * a_count + a0;
            simd.split_fields32(in + a0 * b_count, a1 - a0, static_cast<int>(b_count), columns);
            return;
        }
    }
    switch (b_count) {
        case 2: return narrow_b<T, 2>(in, out, a_count, a0, a1);
        case 3: return narrow_b<T, 3>(in, out, a_count, a0, a1);
        case 4: return narrow_b<T, 4>(in, out, a_count, a0, a1);
        default: break;
    }
    for (int64_t ab = a0; ab < a1; ab += kBlock) {
        const int64_t ae = std::min(ab + kBlock, a1);
        for (int64_t bb = 0; bb < b_count; bb += kBlock) {
            const int64_t be = std::min(bb + kBlock, b_count);
            for (int64_t b = bb; b < be; ++b) {
                T* o = out + b * a_count;
                for (int64_t a = ab; a < ae; ++a) o[a] = in[a * b_count + b];
            }
        }
    }
}

// The same for a narrow A (2 to 4), columns [b0, b1) of in (the rows of out).
template <typename T>
void transpose_columns(const SimdKernels& simd, const T* in, T* out, int64_t a_count, int64_t b_count, int64_t b0, int64_t b1) {
    if constexpr (std::is_same_v<T, uint32_t>) {
        const uint32_t* rows[4];
        for (int64_t a = 0; a < a_count; ++a) rows[a] = in + a * b_count + b0;
        simd.merge_fields32(rows, b1 - b0, static_cast<int>(a_count), out + b0 * a_count);
        return;
    }
    switch (a_count) {
        case 2: return narrow_a<T, 2>(in, out, b_count, b0, b1);
        case 3: return narrow_a<T, 3>(in, out, b_count, b0, b1);
        default: return narrow_a<T, 4>(in, out, b_count, b0, b1);
    }
}

class TransposeKernel final : public ReferenceBackedKernel {
public:
    TransposeKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : ReferenceBackedKernel(ops::find_op("Transpose")->create(attributes, opset)),
              m_perm(attributes.get_ints("perm")),
              m_simd(simd) {}

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& in = ctx.input(0);
        const size_t elem = dtype_size(in.dtype);
        const int64_t total = in.numel();
        if (total == 0) return;
        if (elem != 1 && elem != 2 && elem != 4 && elem != 8) {
            run_reference(ctx);
            return;
        }
        std::vector<int64_t> perm = m_perm;
        if (perm.empty()) {
            for (size_t i = in.shape.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
        }
        const MergedPermutation m = merge_dims(in.shape, perm);
        const auto* src = static_cast<const uint8_t*>(in.data);
        auto* dst = static_cast<uint8_t*>(ctx.output(0).data);
        // Floats (4 bytes) read and written, at about half a pool's cost per float.
        const double floats = double(total) * double(elem) / 4;
        const size_t rank = m.dims.size();
        if (rank <= 1) {
            std::memcpy(dst, src, static_cast<size_t>(total) * elem);
        } else if (m.perm.back() == static_cast<int64_t>(rank) - 1) {
            parallel_if(ctx, total / m.dims.back(), floats,
                        [&](int64_t begin, int64_t end) { copy_runs(src, dst, elem, m, begin, end); });
        } else if (rank == 2 || (rank == 3 && m.perm[0] == 0)) {
            const int64_t batch = rank == 3 ? m.dims[0] : 1, a = m.dims[rank - 2], b = m.dims[rank - 1];
            ops::dispatch_bytes(elem, [&](auto zero) {
                using T = decltype(zero);
                transpose_matrices(m_simd, static_cast<const T*>(in.data), static_cast<T*>(ctx.output(0).data), batch, a, b,
                                   floats, ctx);
            });
        } else {
            run_reference(ctx);
        }
    }

private:
    // batch matrices A x B into B x A, split over blocks of the rows of in, or of its columns when A is narrow.
    template <typename T>
    static void transpose_matrices(const SimdKernels& simd, const T* in, T* out, int64_t batch, int64_t a, int64_t b,
                                   double floats, const ops::RunContext& ctx) {
        const bool by_columns = a <= 4 && b > 4;
        const int64_t side = by_columns ? b : a, step = a <= 4 || b <= 4 ? kNarrowItem : kBlock;
        const int64_t items = div_up(side, step);
        parallel_if(ctx, batch * items, floats, [&](int64_t begin, int64_t end) {
            for (int64_t item = begin; item < end; ++item) {
                const int64_t n = item / items, lo = item % items * step, hi = std::min(lo + step, side);
                const T* src = in + n * a * b;
                T* dst = out + n * a * b;
                if (by_columns) {
                    transpose_columns(simd, src, dst, a, b, lo, hi);
                } else {
                    transpose_rows(simd, src, dst, a, b, lo, hi);
                }
            }
        });
    }

    static int64_t div_up(int64_t x, int64_t by) { return (x + by - 1) / by; }

    std::vector<int64_t> m_perm;
    const SimdKernels& m_simd;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_transpose_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<TransposeKernel>(attributes, opset, simd);
}

}  // namespace lite::backend::cpu
