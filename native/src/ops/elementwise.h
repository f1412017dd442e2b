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
        // A local copy, so stores through y cannot alias fn's parameters; in place, one pointer (no alias checks).
        const Fn f = fn;
        if (x == y) {
            float* v = y + begin;
            const int64_t n = end - begin;
            for (int64_t i = 0; i < n; ++i) v[i] = f(v[i]);
        } else {
            const float* __restrict src = x + begin;
            float* __restrict dst = y + begin;
            const int64_t n = end - begin;
            for (int64_t i = 0; i < n; ++i) dst[i] = f(src[i]);
        }
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

namespace detail {

//! dst[i] = fn(ra[i * ia], rb[i * ib]) for i in [0, n), with tight loops for the common strides (1/1, 1/0, 0/1)
//! that the compiler vectorises. dst may be ra or rb exactly (in place), never a partial overlap.
template <typename In, typename Out, typename Fn>
inline void binary_run(Out* dst, const In* ra, const In* rb, int64_t n, int64_t ia, int64_t ib, Fn fn) {
    constexpr bool same_type = std::is_same_v<In, Out>;
    if (ia == 1 && ib == 1) {
        if constexpr (same_type) {
            if (static_cast<const void*>(dst) == static_cast<const void*>(ra)) {
                for (int64_t i = 0; i < n; ++i) dst[i] = fn(dst[i], rb[i]);
                return;
            }
        }
        for (int64_t i = 0; i < n; ++i) dst[i] = fn(ra[i], rb[i]);
    } else if (ia == 1 && ib == 0) {
        const In s = *rb;
        if constexpr (same_type) {
            if (static_cast<const void*>(dst) == static_cast<const void*>(ra)) {
                for (int64_t i = 0; i < n; ++i) dst[i] = fn(dst[i], s);
                return;
            }
        }
        for (int64_t i = 0; i < n; ++i) dst[i] = fn(ra[i], s);
    } else if (ia == 0 && ib == 1) {
        const In s = *ra;
        if constexpr (same_type) {
            if (static_cast<const void*>(dst) == static_cast<const void*>(rb)) {
                for (int64_t i = 0; i < n; ++i) dst[i] = fn(s, dst[i]);
                return;
            }
        }
        for (int64_t i = 0; i < n; ++i) dst[i] = fn(s, rb[i]);
    } else {
        for (int64_t i = 0; i < n; ++i) dst[i] = fn(ra[i * ia], rb[i * ib]);
    }
}

}  // namespace detail

//! out = fn(a, b) with numpy broadcasting. A is In* and B is In*, out is Out*. Dims of size 1 are dropped and
//! adjacent dims that are contiguous in both inputs merged, so e.g. [N,C,H,W] op [1,C,1,1] becomes rows of H*W
//! with a scalar; the innermost dim is a tight loop and the row offsets advance with an odometer.
template <typename In, typename Out, typename Fn>
void broadcast_binary(const TensorView& a, const TensorView& b, TensorView& out, RunContext& ctx, Fn fn) {
    const In* pa = a.as<In>();
    const In* pb = b.as<In>();
    Out* po = out.as<Out>();
    const int64_t total = out.numel();
    if (total == 0) return;
    const bool a_full = a.shape == out.shape, b_full = b.shape == out.shape;
    if ((a_full && b_full) || (a_full && b.numel() == 1) || (b_full && a.numel() == 1)) {
        const int64_t ia = a_full ? 1 : 0, ib = b_full ? 1 : 0;
        ctx.parallel_for(total, [&](int64_t begin, int64_t end) {
            detail::binary_run<In, Out>(po + begin, pa + begin * ia, pb + begin * ib, end - begin, ia, ib, fn);
        });
        return;
    }
    const size_t rank = out.shape.size();
    const std::vector<int64_t> sa = broadcast_strides(a.shape, out.shape), sb = broadcast_strides(b.shape, out.shape);
    // Collapsed geometry: dims of size 1 dropped, a dim merged into the one outside it when both inputs are
    // contiguous across the pair (or both broadcast).
    std::vector<int64_t> dims, ca, cb;
    for (size_t d = 0; d < rank; ++d) {
        const int64_t n = out.shape[d];
        if (n == 1) continue;
        if (!dims.empty() && ca.back() == sa[d] * n && cb.back() == sb[d] * n) {
            dims.back() *= n;
            ca.back() = sa[d];
            cb.back() = sb[d];
        } else {
            dims.push_back(n);
            ca.push_back(sa[d]);
            cb.push_back(sb[d]);
        }
    }
    if (dims.empty()) {
        dims.push_back(1);
        ca.push_back(0);
        cb.push_back(0);
    }
    const size_t crank = dims.size();
    const int64_t inner = dims[crank - 1];
    const int64_t ia = ca[crank - 1], ib = cb[crank - 1];
    const int64_t rows = total / inner;
    ctx.parallel_for(rows, [&](int64_t begin, int64_t end) {
        // Multi-index of the first row over the outer dims, then advanced row by row.
        std::vector<int64_t> idx(crank - 1, 0);
        int64_t rem = begin, oa = 0, ob = 0;
        for (size_t d = crank - 1; d-- > 0;) {
            idx[d] = rem % dims[d];
            rem /= dims[d];
            oa += idx[d] * ca[d];
            ob += idx[d] * cb[d];
        }
        for (int64_t row = begin; row < end; ++row) {
            detail::binary_run<In, Out>(po + row * inner, pa + oa, pb + ob, inner, ia, ib, fn);
            for (size_t d = crank - 1; d-- > 0;) {
                oa += ca[d];
                ob += cb[d];
                if (++idx[d] < dims[d]) break;
                oa -= ca[d] * dims[d];
                ob -= cb[d] * dims[d];
                idx[d] = 0;
            }
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
