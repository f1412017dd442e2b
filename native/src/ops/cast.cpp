// Cast between float32, float16, bool and the integer types edgelite runs. Float to integer truncates toward
// zero (values beyond int64 saturate, NaN gives 0), then wraps to the target width as numpy does; anything to
// bool is value != 0; float16 goes through float32.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "core/onnx/onnx_model.h"
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

// Element types with a conversion rule of their own (stored as uint16_t / uint8_t).
struct Half { uint16_t bits; };
struct Bool { uint8_t value; };

template <typename T> struct Arith { using type = T; };
template <> struct Arith<Half> { using type = float; };
template <> struct Arith<Bool> { using type = bool; };

template <typename S>
typename Arith<S>::type load(S s) {
    if constexpr (std::is_same_v<S, Half>) {
        return half_to_float(s.bits);
    } else if constexpr (std::is_same_v<S, Bool>) {
        return s.value != 0;
    } else {
        return s;
    }
}

int64_t float_to_int64(double v) {
    if (std::isnan(v)) return 0;
    if (v >= 9223372036854775807.0) return INT64_MAX;
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return static_cast<int64_t>(v);
}

template <typename D, typename V>
D store(V v) {
    if constexpr (std::is_same_v<D, Half>) {
        return Half{float_to_half(static_cast<float>(v))};
    } else if constexpr (std::is_same_v<D, Bool>) {
        return Bool{static_cast<uint8_t>(v != 0 ? 1 : 0)};
    } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<V>) {
        return static_cast<D>(float_to_int64(static_cast<double>(v)));
    } else {
        return static_cast<D>(v);
    }
}

template <typename Fn>
void dispatch_all(LiteDataType dtype, Fn&& fn) {
    switch (dtype) {
        case LITE_HALF: fn(Half{}); return;
        case LITE_BOOL: fn(Bool{}); return;
        default: dispatch_numeric(dtype, fn); return;
    }
}

bool castable(LiteDataType t) {
    switch (t) {
        case LITE_FLOAT: case LITE_HALF: case LITE_INT: case LITE_INT16: case LITE_INT8: case LITE_UINT8:
        case LITE_UINT: case LITE_UINT16: case LITE_INT64: case LITE_BOOL: return true;
    }
    return false;
}

class CastKernel final : public Kernel {
public:
    CastKernel(const Attributes& attributes, int) {
        int64_t to = attributes.get_int("to");
        if (!onnx::to_lite_dtype(static_cast<int32_t>(to), m_to)) {
            throw Error(ErrorCode::UnsupportedOp, attributes.node_desc() + ": casting to " +
                                                      onnx::onnx_type_name(static_cast<int32_t>(to)) + " is not supported");
        }
    }
    void infer(InferContext& ctx) override {
        if (!castable(ctx.input_dtype(0))) ctx.fail(std::string("input element type ") + dtype_label(ctx.input_dtype(0)) + " is not supported");
        ctx.set_output(0, m_to, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        if (in.dtype == out.dtype) {
            if (out.data != in.data) std::memcpy(out.data, in.data, in.nbytes());
            return;
        }
        dispatch_all(in.dtype, [&](auto source) {
            using S = decltype(source);
            dispatch_all(out.dtype, [&](auto target) {
                using D = decltype(target);
                const S* x = in.as<S>();
                D* y = out.as<D>();
                ctx.parallel_for(in.numel(), [&](int64_t begin, int64_t end) {
                    for (int64_t i = begin; i < end; ++i) y[i] = store<D>(load(x[i]));
                });
            });
        });
    }

private:
    LiteDataType m_to = LITE_FLOAT;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Cast, CastKernel)
