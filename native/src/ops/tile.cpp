// Tile: repeats the input repeats[d] times along each dim d (repeats from input 1).
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class TileKernel final : public Kernel {
public:
    TileKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        const Shape& in = ctx.input_shape(0);
        if (ctx.input_dtype(1) != LITE_INT64 || ctx.input_shape(1).size() != 1) ctx.fail("repeats must be a 1-D int64 tensor");
        std::vector<int64_t> repeats = read_ints(ctx.require_value(1));
        if (repeats.size() != in.size()) {
            ctx.fail("repeats " + shape_str(repeats) + " must have one entry per input dim, the input is " + shape_str(in));
        }
        Shape out(in.size());
        for (size_t d = 0; d < in.size(); ++d) {
            if (repeats[d] < 0) ctx.fail("repeats " + shape_str(repeats) + " has a negative entry");
            out[d] = in[d] * repeats[d];
        }
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        TensorView& out = ctx.output(0);
        const std::vector<int64_t> strides = strides_of(in.shape);
        std::vector<std::vector<int64_t>> tables(out.shape.size());
        for (size_t d = 0; d < tables.size(); ++d) {
            tables[d].resize(static_cast<size_t>(out.shape[d]));
            for (size_t o = 0; o < tables[d].size(); ++o) tables[d][o] = (static_cast<int64_t>(o) % in.shape[d]) * strides[d];
        }
        table_copy(in.data, out.data, dtype_size(in.dtype), tables, ctx);
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Tile, TileKernel)
