// DepthToSpace: [N, C, H, W] -> [N, C/(b*b), H*b, W*b], moving channel blocks into space. DCR (default) takes
// the block offset from the channel's high part, CRD from its low part.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class DepthToSpaceKernel final : public Kernel {
public:
    DepthToSpaceKernel(const Attributes& attributes, int) : m_block(attributes.get_int("blocksize")) {
        if (m_block <= 0) attributes.fail("blocksize must be positive");
        std::string mode = attributes.get_string("mode", "DCR");
        if (mode != "DCR" && mode != "CRD") attributes.fail("mode '" + mode + "' is not DCR or CRD");
        m_crd = mode == "CRD";
    }
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        if (in.size() != 4) ctx.fail("input must be 4-D [N, C, H, W], got " + shape_str(in));
        if (in[1] % (m_block * m_block) != 0) {
            ctx.fail("channels (" + std::to_string(in[1]) + ") must be a multiple of blocksize^2 (" + std::to_string(m_block * m_block) + ")");
        }
        ctx.set_output(0, ctx.input_dtype(0), {in[0], in[1] / (m_block * m_block), in[2] * m_block, in[3] * m_block});
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        const int64_t n = in.shape[0], c = in.shape[1] / (m_block * m_block), h = in.shape[2], w = in.shape[3], b = m_block;
        // The input as 6-D, transposed so that its dims run in the output's order [N, C', H, b, W, b].
        Shape six = m_crd ? Shape{n, c, b, b, h, w} : Shape{n, b, b, c, h, w};
        std::vector<int64_t> perm = m_crd ? std::vector<int64_t>{0, 1, 4, 2, 5, 3} : std::vector<int64_t>{0, 3, 4, 1, 5, 2};
        table_copy(in.data, ctx.output(0).data, dtype_size(in.dtype), transpose_tables(six, perm), ctx);
    }

private:
    int64_t m_block;
    bool m_crd;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(DepthToSpace, DepthToSpaceKernel)
