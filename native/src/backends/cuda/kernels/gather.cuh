// Data movement on any element type of 1, 2, 4 or 8 bytes, one grid-stride thread per output element: a strided
// gather that is Transpose, Slice and Pad (rank <= kMaxRank), and a row copy into a strided destination that is
// Concat (one launch per input, into its slice of the output).
#pragma once

#include <cstring>
#include <vector>

#include "backends/cuda/kernels/common.cuh"

namespace lite::backend::cuda::kernels {

enum class PadMode { Constant, Reflect, Edge, Wrap };

//! y[o_0..o_r-1] = x[sum_d i_d * in_strides[d]] with i_d = start[d] + o_d * step[d]; an i_d outside [0, in_dims[d])
//! is mapped back by `pad` (Constant writes `fill`, one element's bytes).
struct GatherArgs {
    const void* x = nullptr;
    void* y = nullptr;
    int elem_size = 4;
    int rank = 0;
    int64_t outputs = 0;
    int64_t out_dims[kMaxRank] = {}, start[kMaxRank] = {}, step[kMaxRank] = {}, in_dims[kMaxRank] = {}, in_strides[kMaxRank] = {};
    PadMode pad = PadMode::Constant;
    uint64_t fill = 0;
};

//! Where index i of a dim of n elements reads when it lies outside [0, n) (as ops/pad.cpp maps it); -1: the fill.
EL_HD inline int64_t pad_index(PadMode mode, int64_t i, int64_t n) {
    if (i >= 0 && i < n) return i;
    switch (mode) {
        case PadMode::Constant: return -1;
        case PadMode::Edge: return i < 0 ? 0 : n - 1;
        case PadMode::Wrap: return ((i % n) + n) % n;
        case PadMode::Reflect: {
            const int64_t period = 2 * (n - 1);
            if (period == 0) return 0;
            i = ((i % period) + period) % period;
            return i >= n ? period - i : i;
        }
    }
    return -1;
}

template <typename T>
EL_HD void gather_elements(const GatherArgs& p, const GridPos& at) {
    const T* x = static_cast<const T*>(p.x);
    T* y = static_cast<T*>(p.y);
    T fill;
    memcpy(&fill, &p.fill, sizeof(T));
    for (int64_t o = at.global_x(); o < p.outputs; o += at.stride_x()) {
        int64_t rem = o, off = 0;
        bool inside = true;
        for (int d = p.rank; d-- > 0;) {
            const int64_t i = pad_index(p.pad, p.start[d] + (rem % p.out_dims[d]) * p.step[d], p.in_dims[d]);
            rem /= p.out_dims[d];
            inside = inside && i >= 0;
            off += i * p.in_strides[d];
        }
        y[o] = inside ? x[off] : fill;
    }
}

struct GatherKernel {
    using Args = GatherArgs;
    static constexpr const char* kName = "gather";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.outputs); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        switch (p.elem_size) {
            case 1: gather_elements<uint8_t>(p, at); break;
            case 2: gather_elements<uint16_t>(p, at); break;
            case 4: gather_elements<uint32_t>(p, at); break;
            default: gather_elements<uint64_t>(p, at); break;
        }
    }
};

//! y[r * dst_row + dst_offset + i] = x[r * src_row + i] for r < rows, i < src_row (in elements).
struct CopyRowsArgs {
    const void* x = nullptr;
    void* y = nullptr;
    int elem_size = 4;
    int64_t rows = 0, src_row = 0, dst_row = 0, dst_offset = 0;
};

template <typename T>
EL_HD void copy_row_elements(const CopyRowsArgs& p, const GridPos& at) {
    const T* x = static_cast<const T*>(p.x);
    T* y = static_cast<T*>(p.y);
    const int64_t total = p.rows * p.src_row;
    for (int64_t e = at.global_x(); e < total; e += at.stride_x()) {
        y[(e / p.src_row) * p.dst_row + p.dst_offset + e % p.src_row] = x[e];
    }
}

struct CopyRowsKernel {
    using Args = CopyRowsArgs;
    static constexpr const char* kName = "copy_rows";
    static constexpr bool kTiled = false;
    static LaunchShape launch(const Args& p) { return linear_launch(p.rows * p.src_row); }
    EL_HD static void thread(const Args& p, const GridPos& at) {
        switch (p.elem_size) {
            case 1: copy_row_elements<uint8_t>(p, at); break;
            case 2: copy_row_elements<uint16_t>(p, at); break;
            case 4: copy_row_elements<uint32_t>(p, at); break;
            default: copy_row_elements<uint64_t>(p, at); break;
        }
    }
};

// Host-side builders of the arguments (shapes in, geometry out); false when the rank exceeds kMaxRank.

inline bool gather_identity(const std::vector<int64_t>& shape, GatherArgs& p) {
    if (shape.size() > size_t(kMaxRank)) return false;
    p.rank = int(shape.size());
    p.outputs = 1;
    int64_t stride = 1;
    for (int d = p.rank; d-- > 0;) {
        p.out_dims[d] = p.in_dims[d] = shape[size_t(d)];
        p.in_strides[d] = stride;
        p.start[d] = 0;
        p.step[d] = 1;
        stride *= shape[size_t(d)];
        p.outputs *= shape[size_t(d)];
    }
    return true;
}

//! Transpose: output dim d is input dim perm[d].
inline bool make_transpose_args(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, GatherArgs& p) {
    GatherArgs in;
    if (perm.size() != shape.size() || !gather_identity(shape, in)) return false;
    if (!gather_identity(shape, p)) return false;
    for (int d = 0; d < p.rank; ++d) {
        const int from = int(perm[size_t(d)]);
        p.out_dims[d] = p.in_dims[d] = in.in_dims[from];
        p.in_strides[d] = in.in_strides[from];
    }
    return true;
}

//! Slice with starts/ends/axes/steps already read (axes may be empty: 0, 1, ...), clamped as ops/slice.cpp does.
inline bool make_slice_args(const std::vector<int64_t>& shape, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                            const std::vector<int64_t>& axes, const std::vector<int64_t>& steps, GatherArgs& p) {
    if (!gather_identity(shape, p)) return false;
    const int64_t rank = int64_t(shape.size());
    for (size_t i = 0; i < starts.size(); ++i) {
        int64_t axis = axes.empty() ? int64_t(i) : axes[i];
        if (axis < 0) axis += rank;
        const int64_t dim = shape[size_t(axis)], step = steps.empty() ? 1 : steps[i];
        int64_t start = starts[i], end = ends[i];
        if (start < 0) start = start < -dim ? -1 : start + dim;
        if (end < 0) end = end < -dim ? -1 : end + dim;
        if (step > 0) {
            start = start < 0 ? 0 : (start > dim ? dim : start);
            end = end < 0 ? 0 : (end > dim ? dim : end);
        } else {
            start = start > dim - 1 ? dim - 1 : start;
            start = start < 0 ? 0 : start;
            end = end > dim - 1 ? dim - 1 : end;
            end = end < -1 ? -1 : end;
        }
        int64_t count = 0;
        if (dim > 0 && step > 0 && end > start) count = (end - start - 1) / step + 1;
        if (dim > 0 && step < 0 && start > end) count = (start - end - 1) / -step + 1;
        p.start[axis] = start;
        p.step[axis] = step;
        p.out_dims[axis] = count;
    }
    p.outputs = 1;
    for (int d = 0; d < p.rank; ++d) p.outputs *= p.out_dims[d];
    return true;
}

//! Pad by begin[d] / end[d] elements per dim (negative crops); `fill` is the constant mode's element.
inline bool make_pad_args(const std::vector<int64_t>& shape, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                          PadMode mode, const void* fill, int elem_size, GatherArgs& p) {
    if (!gather_identity(shape, p)) return false;
    p.elem_size = elem_size;
    p.pad = mode;
    p.fill = 0;
    if (fill) std::memcpy(&p.fill, fill, size_t(elem_size));
    p.outputs = 1;
    for (int d = 0; d < p.rank; ++d) {
        p.start[d] = -begin[size_t(d)];
        p.out_dims[d] = shape[size_t(d)] + begin[size_t(d)] + end[size_t(d)];
        p.outputs *= p.out_dims[d];
    }
    return true;
}

//! Concat along `axis`: one CopyRowsArgs per input (x and y left for the caller to fill in).
inline std::vector<CopyRowsArgs> make_concat_args(const std::vector<std::vector<int64_t>>& shapes, int64_t axis, int elem_size) {
    std::vector<CopyRowsArgs> list(shapes.size());
    int64_t outer = 1, inner = 1, total = 0;
    for (int64_t d = 0; d < int64_t(shapes[0].size()); ++d) {
        if (d < axis) outer *= shapes[0][size_t(d)];
        if (d > axis) inner *= shapes[0][size_t(d)];
    }
    for (const auto& s : shapes) total += s[size_t(axis)] * inner;
    int64_t offset = 0;
    for (size_t i = 0; i < shapes.size(); ++i) {
        list[i].elem_size = elem_size;
        list[i].rows = outer;
        list[i].src_row = shapes[i][size_t(axis)] * inner;
        list[i].dst_row = total;
        list[i].dst_offset = offset;
        offset += list[i].src_row;
    }
    return list;
}

}  // namespace lite::backend::cuda::kernels
