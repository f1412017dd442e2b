// Not: logical negation of a bool tensor.
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class NotKernel final : public Kernel {
public:
    NotKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_BOOL) ctx.fail(std::string("input must be bool, got ") + dtype_label(ctx.input_dtype(0)));
        ctx.set_output(0, LITE_BOOL, ctx.input_shape(0));
    }
    void run(RunContext& ctx) override {
        const uint8_t* x = ctx.input(0).as<uint8_t>();
        uint8_t* y = ctx.output(0).as<uint8_t>();
        ctx.parallel_for(ctx.input(0).numel(), [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) y[i] = x[i] ? 0 : 1;
        });
    }
    bool inplace_ok() const override { return true; }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Not, NotKernel)
