// Mean: elementwise mean of any number of inputs, all broadcast together; float32 and float16 (the spec's types
// edgelite runs). Sums in the element type, then divides by the input count.
#include "ops/binary.h"

namespace lite::ops {
namespace {

class MeanKernel final : public BroadcastKernel {
public:
    MeanKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        LiteDataType dtype;
        Shape shape = broadcast_all_inputs(ctx, dtype);
        if (dtype != LITE_FLOAT && dtype != LITE_HALF) {
            ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported (float32, float16)");
        }
        set_output0(ctx, dtype, shape);
    }
    void run(RunContext& ctx) override {
        if (ctx.input(0).dtype == LITE_FLOAT) {
            compute<float>(ctx);
        } else {
            compute<Half>(ctx);
        }
    }

private:
    template <typename T>
    static void compute(RunContext& ctx) {
        broadcast_fold<T>(ctx, [](T a, T b) { return static_cast<T>(a + b); });
        if (ctx.num_inputs() == 1) return;
        TensorView& out = ctx.output(0);
        T* data = out.as<T>();
        const float count = static_cast<float>(ctx.num_inputs());
        ctx.parallel_for(out.numel(), [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) data[i] = static_cast<T>(data[i] / count);
        });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Mean, MeanKernel)
