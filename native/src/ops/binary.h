// Shared by the broadcasting binary, variadic and logic ops (Sub, Mul, Div, Pow, Mod, Max, Min, Mean, Sum, Equal,
// Greater, Less, And, Or, Xor, BitShift, Where): a float16 element type that computes in float, dtype checks and
// dispatch that include it, an N-input broadcast walker for inputs of different element types, and the
// in-place rule of these kernels.
#pragma once

#include <array>
#include <cstring>
#include <limits>
#include <string>

#include "ops/elementwise.h"

namespace lite::ops {

//! A float16 element as stored (IEEE binary16 bits); it reads as float and is written from float with
//! static_cast<Half>(x), so generic arithmetic computes in float and rounds once per result.
struct Half {
    uint16_t bits;
    Half() = default;
    explicit Half(float value) : bits(float_to_half(value)) {}
    operator float() const { return half_to_float(bits); }
};
static_assert(sizeof(Half) == 2, "Half must be two bytes");

//! True for the element types the arithmetic kernels of this family run on: every integer type, float32, float16.
inline bool is_numeric_dtype(LiteDataType t) {
    switch (t) {
        case LITE_FLOAT: case LITE_HALF: case LITE_INT: case LITE_INT64: case LITE_INT8: case LITE_UINT8:
        case LITE_INT16: case LITE_UINT16: case LITE_UINT: return true;
        default: return false;
    }
}

//! dispatch_numeric (every integer type, float32) plus float16 as Half.
template <typename Fn>
void dispatch_arith(LiteDataType dtype, Fn&& fn) {
    if (dtype == LITE_HALF) {
        fn(Half{});
        return;
    }
    dispatch_numeric(dtype, fn);
}

//! The unsigned type integer arithmetic on T wraps in (two's complement, never signed overflow): T's promoted
//! type made unsigned. Only for integral T.
template <typename T>
using wrap_t = std::make_unsigned_t<decltype(T{} + T{})>;

//! A float result converted to an integer type without undefined behaviour: NaN gives 0, out-of-range values
//! saturate. Other types are a plain conversion.
template <typename T>
T convert_to(double value) {
    if constexpr (std::is_integral_v<T>) {
        if (std::isnan(value)) return 0;
        if (value <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
        if (value >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
        return static_cast<T>(value);
    } else {
        return static_cast<T>(static_cast<float>(value));
    }
}

//! Walks out_shape in spans and calls span(out_offset, count, offsets, steps): input k's elements of the span are
//! at offsets[k] + i * steps[k] for i in [0, count) (steps are 0 for a broadcast dim). Spans run on the thread pool.
template <size_t N, typename Span>
void broadcast_spans(const std::array<const Shape*, N>& in_shapes, const Shape& out_shape, RunContext& ctx, Span span) {
    const int64_t total = numel(out_shape);
    if (total == 0) return;
    bool same = true;
    for (const Shape* s : in_shapes) same = same && *s == out_shape;
    if (same) {  // includes rank 0
        ctx.parallel_for(total, [&](int64_t begin, int64_t end) {
            std::array<int64_t, N> offsets, steps;
            offsets.fill(begin);
            steps.fill(1);
            span(begin, end - begin, offsets, steps);
        });
        return;
    }
    const size_t rank = out_shape.size();
    std::array<std::vector<int64_t>, N> strides;
    std::array<int64_t, N> steps;
    for (size_t k = 0; k < N; ++k) {
        strides[k] = broadcast_strides(*in_shapes[k], out_shape);
        steps[k] = strides[k][rank - 1];
    }
    const int64_t inner = out_shape[rank - 1];
    ctx.parallel_for(total / inner, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            std::array<int64_t, N> offsets{};
            int64_t rem = row;
            for (size_t d = rank - 1; d-- > 0;) {
                const int64_t idx = rem % out_shape[d];
                rem /= out_shape[d];
                for (size_t k = 0; k < N; ++k) offsets[k] += idx * strides[k][d];
            }
            span(row * inner, inner, offsets, steps);
        }
    });
}

//! out = fn(a, b) with numpy broadcasting for inputs of different element types A and B.
template <typename A, typename B, typename Out, typename Fn>
void broadcast_mixed(const TensorView& a, const TensorView& b, TensorView& out, RunContext& ctx, Fn fn) {
    const A* pa = a.as<A>();
    const B* pb = b.as<B>();
    Out* po = out.as<Out>();
    broadcast_spans<2>({&a.shape, &b.shape}, out.shape, ctx,
                       [&](int64_t o, int64_t count, const std::array<int64_t, 2>& off, const std::array<int64_t, 2>& step) {
                           const A* ra = pa + off[0];
                           const B* rb = pb + off[1];
                           Out* dst = po + o;
                           for (int64_t i = 0; i < count; ++i) dst[i] = fn(ra[i * step[0]], rb[i * step[1]]);
                       });
}

//! Variadic ops: out = fn(...fn(fn(in0, in1), in2)..., in_last) with every input broadcast to out's shape; a single
//! input is copied. Output 0 may be input 0's memory (in place) only when they have the same shape.
template <typename T, typename Fn>
void broadcast_fold(RunContext& ctx, Fn fn) {
    TensorView& out = ctx.output(0);
    const TensorView& first = ctx.input(0);
    if (ctx.num_inputs() == 1) {
        if (out.data != first.data) std::memcpy(out.data, first.data, out.nbytes());
        return;
    }
    broadcast_binary<T, T>(first, ctx.input(1), out, ctx, fn);
    for (size_t k = 2; k < ctx.num_inputs(); ++k) broadcast_binary<T, T>(out, ctx.input(k), out, ctx, fn);
}

//! The broadcast shape of every input (all required, at least one); fails when they are incompatible or when
//! their element types differ. Returns the shape; `dtype` receives the common element type.
inline Shape broadcast_all_inputs(const InferContext& ctx, LiteDataType& dtype) {
    if (ctx.num_inputs() == 0) ctx.fail("needs at least one input");
    Shape shape;
    for (size_t k = 0; k < ctx.num_inputs(); ++k) {
        if (!ctx.has_input(k)) ctx.fail("input " + std::to_string(k) + " is required but missing");
        if (k == 0) {
            dtype = ctx.input_dtype(0);
            shape = ctx.input_shape(0);
            continue;
        }
        if (ctx.input_dtype(k) != dtype) {
            ctx.fail(std::string("inputs have different element types (") + dtype_label(dtype) + " and " +
                     dtype_label(ctx.input_dtype(k)) + ")");
        }
        shape = broadcast_shapes(shape, ctx.input_shape(k), ctx);
    }
    return shape;
}

//! Base of this family's kernels: set_output0 records whether output 0 has input 0's element type and shape,
//! the only case in which the kernel may write over input 0.
class BroadcastKernel : public Kernel {
public:
    bool inplace_ok() const override { return m_inplace; }

protected:
    void set_output0(InferContext& ctx, LiteDataType dtype, const Shape& shape) {
        m_inplace = dtype == ctx.input_dtype(0) && shape == ctx.input_shape(0);
        ctx.set_output(0, dtype, shape);
    }

private:
    bool m_inplace = false;
};

}  // namespace lite::ops
