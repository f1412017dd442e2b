// NonZero: the multi-indices of the nonzero elements, as int64 [rank, count] in row-major order. The count
// depends on the data, so the output is sized in run().
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

// Whether each element is nonzero (by value: -0.0 is zero, NaN is not).
std::vector<int64_t> nonzero_positions(const TensorView& in) {
    std::vector<int64_t> positions;
    const int64_t n = in.numel();
    auto collect = [&](auto is_nonzero) {
        for (int64_t i = 0; i < n; ++i) {
            if (is_nonzero(i)) positions.push_back(i);
        }
    };
    if (in.dtype == LITE_FLOAT) {
        const float* x = in.as<float>();
        collect([&](int64_t i) { return x[i] != 0.f; });
    } else if (in.dtype == LITE_HALF) {
        const uint16_t* x = in.as<uint16_t>();
        collect([&](int64_t i) { return (x[i] & 0x7fff) != 0; });
    } else {
        dispatch_bytes(dtype_size(in.dtype), [&](auto zero) {
            using T = decltype(zero);
            const T* x = in.as<T>();
            collect([&](int64_t i) { return x[i] != 0; });
        });
    }
    return positions;
}

class NonZeroKernel final : public Kernel {
public:
    NonZeroKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        const auto rank = static_cast<int64_t>(ctx.input_shape(0).size());
        const TensorView* value = ctx.input_value(0);
        const int64_t count = value ? static_cast<int64_t>(nonzero_positions(*value).size()) : 0;
        ctx.set_output(0, LITE_INT64, {rank, count});
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        const std::vector<int64_t> positions = nonzero_positions(in);
        const size_t rank = in.shape.size(), count = positions.size();
        TensorView& out = ctx.allocate_output(0, LITE_INT64, {static_cast<int64_t>(rank), static_cast<int64_t>(count)});
        int64_t* dst = out.as<int64_t>();
        if (!dst) return;
        const std::vector<int64_t> strides = strides_of(in.shape);
        for (size_t c = 0; c < count; ++c) {
            int64_t rem = positions[c];
            for (size_t d = 0; d < rank; ++d) {
                dst[d * count + c] = rem / strides[d];
                rem %= strides[d];
            }
        }
    }
    bool output_shape_from_run() const override { return true; }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(NonZero, NonZeroKernel)
