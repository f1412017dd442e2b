// Building blocks for elementwise kernels: unary maps over float tensors and numpy-broadcasting binary maps.
// Kernels built from them run over contiguous spans without per-element virtual calls.
#pragma once

#include <cmath>
#include <type_traits>

#include "ops/op.h"

namespace lite::ops {

//! True for the dtypes arithmetic kernels run on.
inline bool is_float(LiteDataType t) { return t == LITE_FLOAT; }

//! out[i] = fn(in[i]) over float32, in chunks on the thread pool.
template <typename Fn>
void unary_float(RunContext& ctx, Fn fn) {
    const TensorView& in = ctx.input(0);
    TensorView& out = ctx.output(0);
    const float* x = in.as<float>();
    float* y = out.as<float>();
    ctx.parallel_for(in.numel(), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) y[i] = fn(x[i]);
    });
}

//! A float32 unary kernel: output has the input's shape; it may run in place.
template <typename Fn>
class UnaryFloatKernel : public Kernel {
public:
    explicit UnaryFloatKernel(Fn fn) : m_fn(fn) {}
    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_FLOAT) ctx.fail("input must be float32, got " + std::string(dtype_name_of(ctx.input_dtype(0))));
        ctx.set_output(0, LITE_FLOAT, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override { unary_float(ctx, m_fn); }
    bool inplace_ok() const override { return true; }

private:
    static const char* dtype_name_of(LiteDataType t);
    Fn m_fn;
};

const char* dtype_label(LiteDataType t);
template <typename Fn>
const char* UnaryFloatKernel<Fn>::dtype_name_of(LiteDataType t) { return dtype_label(t); }

//! Strides (in elements) of `shape` broadcast to `out_shape`: 0 for broadcast dims, aligned right.
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out_shape);

//! out = fn(a, b) with numpy broadcasting. A is In* and B is In*, out is Out*. The innermost dim is a
//! tight loop; outer dims are walked with an odometer.
template <typename In, typename Out, typename Fn>
void broadcast_binary(const TensorView& a, const TensorView& b, TensorView& out, RunContext& ctx, Fn fn) {
    const In* pa = a.as<In>();
    const In* pb = b.as<In>();
    Out* po = out.as<Out>();
    const int64_t total = out.numel();
    if (total == 0) return;
    if (a.shape == out.shape && b.shape == out.shape) {
        ctx.parallel_for(total, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) po[i] = fn(pa[i], pb[i]);
        });
        return;
    }
    const size_t rank = out.shape.size();
    std::vector<int64_t> sa = broadcast_strides(a.shape, out.shape), sb = broadcast_strides(b.shape, out.shape);
    const int64_t inner = rank ? out.shape[rank - 1] : 1;
    const int64_t ia = rank ? sa[rank - 1] : 0, ib = rank ? sb[rank - 1] : 0;
    const int64_t rows = total / inner;
    ctx.parallel_for(rows, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            // Offsets of this row in a and b from its multi-index.
            int64_t rem = row, oa = 0, ob = 0;
            for (size_t d = rank > 0 ? rank - 1 : 0; d-- > 0;) {
                int64_t idx = rem % out.shape[d];
                rem /= out.shape[d];
                oa += idx * sa[d];
                ob += idx * sb[d];
            }
            Out* dst = po + row * inner;
            const In* ra = pa + oa;
            const In* rb = pb + ob;
            for (int64_t i = 0; i < inner; ++i) dst[i] = fn(ra[i * ia], rb[i * ib]);
        }
    });
}

//! Dispatches fn<T>() on a numeric dtype (float32, int32, int64, plus int8/uint8/int16/uint16/uint32 when
//! `all_ints`); fails for others.
template <typename Fn>
void dispatch_numeric(LiteDataType dtype, Fn&& fn, bool all_ints = true) {
    switch (dtype) {
        case LITE_FLOAT: fn(float{}); return;
        case LITE_INT: fn(int32_t{}); return;
        case LITE_INT64: fn(int64_t{}); return;
        default: break;
    }
    if (all_ints) {
        switch (dtype) {
            case LITE_INT8: fn(int8_t{}); return;
            case LITE_UINT8: fn(uint8_t{}); return;
            case LITE_INT16: fn(int16_t{}); return;
            case LITE_UINT16: fn(uint16_t{}); return;
            case LITE_UINT: fn(uint32_t{}); return;
            default: break;
        }
    }
    throw Error(ErrorCode::UnsupportedOp, std::string("element type ") + dtype_label(dtype) + " is not supported here");
}

}  // namespace lite::ops

//! Defines a float32 unary op from an expression of `x`: EDGELITE_UNARY_FLOAT_OP(Relu, x > 0 ? x : 0.f)
#define EDGELITE_UNARY_FLOAT_OP(NAME, EXPR)                                                          \
    namespace lite::ops {                                                                            \
    namespace {                                                                                      \
    struct NAME##Fn {                                                                                \
        float operator()(float x) const { return (EXPR); }                                           \
    };                                                                                               \
    class NAME##Kernel final : public UnaryFloatKernel<NAME##Fn> {                                   \
    public:                                                                                          \
        NAME##Kernel(const Attributes&, int) : UnaryFloatKernel<NAME##Fn>(NAME##Fn{}) {}             \
    };                                                                                               \
    }                                                                                                \
    }                                                                                                \
    EDGELITE_OP(NAME, NAME##Kernel)
