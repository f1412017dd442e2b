// Expand: broadcasts the input to the shape given by input 1 (numpy rules, both ways: the output takes the larger
// dim where one is 1).
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class ExpandKernel final : public Kernel {
public:
    ExpandKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (!is_int_index(ctx.input_dtype(1)) || ctx.input_shape(1).size() != 1) ctx.fail("shape must be a 1-D int64 tensor");
        Shape shape = read_ints(ctx.require_value(1));
        for (int64_t d : shape) {
            if (d < 0) ctx.fail("shape " + shape_str(shape) + " has a negative dim");
        }
        ctx.set_output(0, ctx.input_dtype(0), broadcast_shapes(ctx.input_shape(0), shape, ctx));
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        const size_t rank = out.shape.size(), lead = rank - in.shape.size();
        const std::vector<int64_t> strides = strides_of(in.shape);
        std::vector<std::vector<int64_t>> tables(rank);
        for (size_t d = 0; d < rank; ++d) {
            tables[d].resize(static_cast<size_t>(out.shape[d]), 0);
            if (d < lead || in.shape[d - lead] == 1) continue;  // broadcast: always offset 0
            for (size_t o = 0; o < tables[d].size(); ++o) tables[d][o] = static_cast<int64_t>(o) * strides[d - lead];
        }
        table_copy(in.data, out.data, dtype_size(in.dtype), tables, ctx);
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Expand, ExpandKernel)
