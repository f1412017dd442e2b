// Size: the input's element count as an int64 scalar.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class SizeKernel final : public Kernel {
public:
    SizeKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override { ctx.set_output(0, LITE_INT64, {}); }
    bool output_from_input_shapes() const override { return true; }
    void run(RunContext& ctx) override { *ctx.output(0).as<int64_t>() = ctx.input(0).numel(); }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Size, SizeKernel)
