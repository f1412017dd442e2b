// SpaceToDepth: [N, C, H, W] -> [N, C*b*b, H/b, W/b], moving b x b spatial blocks into channels (the inverse of
// DepthToSpace in DCR mode).
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class SpaceToDepthKernel final : public Kernel {
public:
    SpaceToDepthKernel(const Attributes& attributes, int) : m_block(attributes.get_int("blocksize")) {
        if (m_block <= 0) attributes.fail("blocksize must be positive");
    }
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        if (in.size() != 4) ctx.fail("input must be 4-D [N, C, H, W], got " + shape_str(in));
        if (in[2] % m_block != 0 || in[3] % m_block != 0) {
            ctx.fail("height and width of " + shape_str(in) + " must be multiples of blocksize " + std::to_string(m_block));
        }
        ctx.set_output(0, ctx.input_dtype(0), {in[0], in[1] * m_block * m_block, in[2] / m_block, in[3] / m_block});
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        const int64_t b = m_block;
        // The input as [N, C, H/b, b, W/b, b], transposed to [N, b, b, C, H/b, W/b].
        Shape six{in.shape[0], in.shape[1], in.shape[2] / b, b, in.shape[3] / b, b};
        table_copy(in.data, ctx.output(0).data, dtype_size(in.dtype), transpose_tables(six, {0, 3, 5, 1, 2, 4}), ctx);
    }

private:
    int64_t m_block;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(SpaceToDepth, SpaceToDepthKernel)
