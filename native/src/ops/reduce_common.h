// Shared by the reduction family (ReduceMax/Mean/Min/Sum/Prod/L2/SumSquare, ArgMax, Softmax & co, TopK, CumSum):
// splitting a shape at an axis, resolving reduce axes, and the generic reduce loop and kernel.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/elementwise.h"

namespace lite::ops {

//! A shape seen as [outer, n, inner] around one axis (or, with `coerce_2d`, as [outer, n = prod(dims[axis:])]).
struct AxisSplit {
    int64_t outer = 1, n = 1, inner = 1;
};
inline AxisSplit split_at_axis(const Shape& shape, int64_t axis, bool coerce_2d = false) {
    AxisSplit s;
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
        if (d < axis) s.outer *= shape[d];
        else if (d == axis || coerce_2d) s.n *= shape[d];
        else s.inner *= shape[d];
    }
    return s;
}

//! Which dims a reduction removes. Empty `axes` reduce every dim unless `noop_with_empty_axes` (then nothing).
//! Returns "" or why the axes are invalid.
inline std::string resolve_reduce_axes(const std::vector<int64_t>& axes, int64_t rank, bool noop_with_empty_axes,
                                       std::vector<bool>& reduced) {
    reduced.assign(static_cast<size_t>(rank), axes.empty() && !noop_with_empty_axes);
    for (int64_t axis : axes) {
        if (axis < -rank || axis >= rank) {
            return "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank);
        }
        int64_t a = axis < 0 ? axis + rank : axis;
        if (reduced[static_cast<size_t>(a)]) return "axis " + std::to_string(axis) + " is repeated";
        reduced[static_cast<size_t>(a)] = true;
    }
    return "";
}

//! out = reduce(in) over the dims flagged in `reduced` (out holds the kept dims in order). Op provides static
//! templates init<T>(), step(acc, x) and finish(acc, count). Adjacent dims of the same kind are merged; a kept
//! innermost run is walked as a contiguous vector, the innermost reduced run with its stride.
template <typename T, typename Op>
void reduce_loop(const TensorView& in, TensorView& out, const std::vector<bool>& reduced, RunContext& ctx) {
    const int64_t out_count = out.numel();
    if (out_count == 0) return;
    // Merge dims (size-1 dims dropped) into alternating kept/reduced runs, outermost first.
    std::vector<int64_t> sizes;
    std::vector<bool> flags;
    int64_t count = 1;
    for (size_t d = 0; d < in.shape.size(); ++d) {
        if (reduced[d]) count *= in.shape[d];
        if (in.shape[d] == 1) continue;
        if (!flags.empty() && flags.back() == reduced[d]) {
            sizes.back() *= in.shape[d];
        } else {
            sizes.push_back(in.shape[d]);
            flags.push_back(reduced[d]);
        }
    }
    if (count == 0) {  // reducing over an empty dim: every output is the op's identity
        for (int64_t o = 0; o < out_count; ++o) out.as<T>()[o] = Op::finish(Op::template init<T>(), 0);
        return;
    }
    std::vector<int64_t> strides(sizes.size());
    for (size_t d = sizes.size(), stride = 1; d-- > 0;) {
        strides[d] = static_cast<int64_t>(stride);
        stride *= static_cast<size_t>(sizes[d]);
    }
    // Trailing kept run: the inner vector. Innermost reduced run: walked with its stride. Other reduced runs:
    // precomputed offsets. Other kept runs: decomposed from the outer index.
    int64_t inner = 1;
    size_t end = sizes.size();
    if (end && !flags[end - 1]) inner = sizes[--end];
    int64_t last_n = 1, last_stride = 0;
    std::vector<int64_t> kept_sizes, kept_strides, offsets{0};
    bool have_last = false;
    for (size_t d = end; d-- > 0;) {
        if (!flags[d]) {
            kept_sizes.insert(kept_sizes.begin(), sizes[d]);
            kept_strides.insert(kept_strides.begin(), strides[d]);
        } else if (!have_last) {
            have_last = true;
            last_n = sizes[d];
            last_stride = strides[d];
        } else {
            std::vector<int64_t> next;
            next.reserve(offsets.size() * static_cast<size_t>(sizes[d]));
            for (int64_t j = 0; j < sizes[d]; ++j) {
                for (int64_t o : offsets) next.push_back(o + j * strides[d]);
            }
            offsets.swap(next);
        }
    }
    const T* x = in.as<T>();
    T* y = out.as<T>();
    const int64_t outer = out_count / inner;
    ctx.parallel_for(outer, [&](int64_t begin, int64_t stop) {
        for (int64_t o = begin; o < stop; ++o) {
            int64_t base = 0;
            for (size_t k = kept_sizes.size(), rem = static_cast<size_t>(o); k-- > 0;) {
                base += static_cast<int64_t>(rem % static_cast<size_t>(kept_sizes[k])) * kept_strides[k];
                rem /= static_cast<size_t>(kept_sizes[k]);
            }
            T* acc = y + o * inner;
            for (int64_t i = 0; i < inner; ++i) acc[i] = Op::template init<T>();
            for (int64_t offset : offsets) {
                for (int64_t j = 0; j < last_n; ++j) {
                    const T* src = x + base + offset + j * last_stride;
                    for (int64_t i = 0; i < inner; ++i) acc[i] = Op::step(acc[i], src[i]);
                }
            }
            for (int64_t i = 0; i < inner; ++i) acc[i] = Op::finish(acc[i], count);
        }
    });
}

//! A ReduceXxx kernel. Axes come from the `axes` attribute, or from input 1 from opset `axes_input_opset` on
//! (13 for ReduceSum, 18 for the others).
template <typename Op>
class ReduceKernel : public Kernel {
public:
    ReduceKernel(const Attributes& attributes, int opset, int axes_input_opset)
            : m_axes_from_input(opset >= axes_input_opset),
              m_keepdims(attributes.get_int("keepdims", 1) != 0),
              m_noop_with_empty_axes(m_axes_from_input && attributes.get_int("noop_with_empty_axes", 0) != 0) {
        if (!m_axes_from_input) m_axes = attributes.get_ints("axes");
        else if (attributes.has("axes")) attributes.fail("from opset " + std::to_string(axes_input_opset) + " axes are an input, not an attribute");
    }

    void infer(InferContext& ctx) override {
        const LiteDataType dtype = ctx.input_dtype(0);
        if (!supported(dtype)) ctx.fail(std::string("input element type ") + dtype_label(dtype) + " is not supported");
        std::vector<int64_t> axes = m_axes;
        if (m_axes_from_input && ctx.has_input(1)) {
            LiteDataType axes_type = ctx.input_dtype(1);
            if (axes_type != LITE_INT64 && axes_type != LITE_INT) ctx.fail("axes must be int64");
            axes = read_ints(ctx.require_value(1));
        }
        const Shape& shape = ctx.input_shape(0);
        std::vector<bool> reduced;
        std::string why = resolve_reduce_axes(axes, static_cast<int64_t>(shape.size()), m_noop_with_empty_axes, reduced);
        if (!why.empty()) ctx.fail(why);
        ctx.set_output(0, dtype, out_shape(shape, reduced));
    }

    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        std::vector<int64_t> axes = m_axes;
        if (m_axes_from_input && ctx.has_input(1)) axes = read_ints(ctx.input(1));
        std::vector<bool> reduced;
        std::string why = resolve_reduce_axes(axes, static_cast<int64_t>(in.shape.size()), m_noop_with_empty_axes, reduced);
        if (!why.empty()) throw Error(ErrorCode::InvalidModel, why);
        TensorView& out = ctx.output(0);
        // With no axis reduced (noop_with_empty_axes) each element is reduced alone: Sum gives x, SumSquare x*x.
        dispatch_numeric(in.dtype, [&](auto zero) { reduce_loop<decltype(zero), Op>(in, out, reduced, ctx); });
    }

private:
    static bool supported(LiteDataType t) {
        switch (t) {
            case LITE_FLOAT: case LITE_INT: case LITE_INT64: case LITE_INT8: case LITE_UINT8:
            case LITE_INT16: case LITE_UINT16: case LITE_UINT: return true;
            default: return false;
        }
    }
    Shape out_shape(const Shape& shape, const std::vector<bool>& reduced) const {
        Shape out;
        for (size_t d = 0; d < shape.size(); ++d) {
            if (!reduced[d]) out.push_back(shape[d]);
            else if (m_keepdims) out.push_back(1);
        }
        return out;
    }
    std::vector<int64_t> m_axes;
    bool m_axes_from_input, m_keepdims, m_noop_with_empty_axes;
};

}  // namespace lite::ops
