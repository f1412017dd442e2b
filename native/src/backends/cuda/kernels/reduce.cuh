// Reductions: Softmax over the last axis (a block per row: max, then sum of exp, by shared-memory tree reductions)
// and ReduceMean over any set of axes (one thread per output element, rank <= kMaxRank).
#pragma once

#include <vector>

#include "backends/cuda/kernels/pool.cuh"

namespace lite::backend::cuda::kernels {

//! y = softmax(x) along rows of `cols` contiguous elements (Softmax over the last axis, or before opset 13 over the
//! flattened trailing dims). y may be x.
struct SoftmaxArgs {
    const float* x = nullptr;
    float* y = nullptr;
    int64_t rows = 0, cols = 0;
};

struct SoftmaxRow {
    float max = 0.f, sum = 0.f;
};

struct SoftmaxKernel {
    using Args = SoftmaxArgs;
    using Tile = ReduceTile;
    using State = SoftmaxRow;
    static constexpr const char* kName = "softmax";
    static constexpr bool kTiled = true;
    static LaunchShape launch(const Args& p) {
        LaunchShape l;
        l.block.x = reduction_threads(p.cols);
        l.grid.x = unsigned(p.rows < kMaxGridZ ? p.rows : kMaxGridZ);
        return l;
    }
    template <typename Threads>
    EL_HD static void block(const Args& p, Tile& tile, Threads& threads) {
        for (int64_t row = threads.pos().block.x; row < p.rows; row += threads.pos().blocks.x) {
            const float* x = p.x + row * p.cols;
            float* y = p.y + row * p.cols;
            threads.each([&](const GridPos& at, SoftmaxRow&) {
                float m = -INFINITY;
                for (int64_t j = at.thread_index(); j < p.cols; j += at.block_size()) m = max_of(m, x[j]);
                tile.v[at.thread_index()] = m;
            });
            tree_reduce(tile, threads, [](float a, float b) { return max_of(a, b); });
            threads.each([&](const GridPos&, SoftmaxRow& r) { r.max = tile.v[0]; });
            threads.each([&](const GridPos& at, SoftmaxRow& r) {
                float s = 0.f;
                for (int64_t j = at.thread_index(); j < p.cols; j += at.block_size()) s += expf(x[j] - r.max);
                tile.v[at.thread_index()] = s;
            });
            tree_reduce(tile, threads, [](float a, float b) { return a + b; });
            threads.each([&](const GridPos&, SoftmaxRow& r) { r.sum = tile.v[0]; });
            threads.each([&](const GridPos& at, SoftmaxRow& r) {
                for (int64_t j = at.thread_index(); j < p.cols; j += at.block_size()) y[j] = expf(x[j] - r.max) / r.sum;
            });
        }
    }
};

//! y[o] = mean of x over the reduced dims: output o decomposes over the kept dims (outermost first, with their
//! input strides), the reduced dims are walked with theirs. count == 0 (an empty reduction) gives NaN, as the
//! reference does.
struct ReduceMeanArgs {
    const float* x = nullptr;
    float* y = nullptr;
    int64_t outputs = 0, count = 0;
    int kept_rank = 0, reduced_rank = 0;
    int64_t kept_dims[kMaxRank] = {}, kept_strides[kMaxRank] = {};
    int64_t reduced_dims[kMaxRank] = {}, reduced_strides[kMaxRank] = {};
};

struct ReduceMeanKernel {
    using Args = ReduceMeanArgs;
    static constexpr const char* kName = "reduce_mean";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.outputs); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        for (int64_t o = at.global_x(); o < p.outputs; o += at.stride_x()) {
            int64_t base = 0, rem = o;
            for (int d = p.kept_rank; d-- > 0;) {
                base += (rem % p.kept_dims[d]) * p.kept_strides[d];
                rem /= p.kept_dims[d];
            }
            float sum = 0.f;
            for (int64_t r = 0; r < p.count; ++r) {
                int64_t off = base, left = r;
                for (int d = p.reduced_rank; d-- > 0;) {
                    off += (left % p.reduced_dims[d]) * p.reduced_strides[d];
                    left /= p.reduced_dims[d];
                }
                sum += p.x[off];
            }
            p.y[o] = p.count ? sum / float(p.count) : NAN;
        }
    }
};

//! The geometry of a mean of `shape` over the dims flagged in `reduced`: size-1 dims dropped, adjacent dims of the
//! same kind merged. False when more than kMaxRank kept or reduced runs remain.
inline bool make_reduce_mean_args(const std::vector<int64_t>& shape, const std::vector<bool>& reduced, ReduceMeanArgs& p) {
    std::vector<int64_t> strides(shape.size());
    int64_t stride = 1;
    for (size_t d = shape.size(); d-- > 0;) {
        strides[d] = stride;
        stride *= shape[d];
    }
    p.outputs = 1;
    p.count = 1;
    p.kept_rank = p.reduced_rank = 0;
    bool last_reduced = false;
    for (size_t d = 0; d < shape.size(); ++d) {
        (reduced[d] ? p.count : p.outputs) *= shape[d];
        if (shape[d] == 1) continue;
        int& rank = reduced[d] ? p.reduced_rank : p.kept_rank;
        int64_t* dims = reduced[d] ? p.reduced_dims : p.kept_dims;
        int64_t* dim_strides = reduced[d] ? p.reduced_strides : p.kept_strides;
        if (rank > 0 && last_reduced == reduced[d] && dim_strides[rank - 1] == strides[d] * shape[d]) {
            dims[rank - 1] *= shape[d];
            dim_strides[rank - 1] = strides[d];
        } else {
            if (rank == kMaxRank) return false;
            dims[rank] = shape[d];
            dim_strides[rank] = strides[d];
            ++rank;
        }
        last_reduced = reduced[d];
    }
    return true;
}

}  // namespace lite::backend::cuda::kernels
