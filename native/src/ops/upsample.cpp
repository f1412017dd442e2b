// Upsample (opset 7: scales attribute; opset 9: scales input; deprecated from opset 10): the Resize kernel, which
// treats opsets below 10 as Upsample (asymmetric coordinates, nearest truncating, linear with edge clamping).
#include "ops/op.h"

namespace lite::ops {
namespace {

class UpsampleKernel final : public Kernel {
public:
    UpsampleKernel(const Attributes& attributes, int opset) {
        const OpInfo* resize = find_op("Resize");
        if (!resize) attributes.fail("Upsample runs on the Resize kernel, which is not registered");
        m_resize = resize->create(attributes, std::min(opset, 9));
    }
    void infer(InferContext& ctx) override { m_resize->infer(ctx); }
    void run(RunContext& ctx) override { m_resize->run(ctx); }

private:
    std::unique_ptr<Kernel> m_resize;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Upsample, UpsampleKernel)
