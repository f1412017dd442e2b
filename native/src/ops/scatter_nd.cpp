// ScatterND: output = data, then each index tuple (the last dim of indices, k entries) receives a slice of
// updates at data[i0..ik-1, :]; `reduction` (opset 16/18) combines it with what is there.
// updates' shape: indices.shape[:-1] + data.shape[k:].
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class ScatterNDKernel final : public Kernel {
public:
    ScatterNDKernel(const Attributes& attributes, int) : m_reduction(parse_scatter_reduction(attributes)) {}
    void infer(InferContext& ctx) override {
        const Shape& data = ctx.input_shape(0);
        const Shape& indices = ctx.input_shape(1);
        const Shape& updates = ctx.input_shape(2);
        if (ctx.input_dtype(1) != LITE_INT64) ctx.fail("indices must be int64");
        if (ctx.input_dtype(2) != ctx.input_dtype(0)) ctx.fail("updates and data have different element types");
        if (data.empty() || indices.empty()) ctx.fail("data and indices must have at least one dim");
        const int64_t k = indices.back();
        if (k < 1 || k > static_cast<int64_t>(data.size())) {
            ctx.fail("the last dim of indices (" + std::to_string(k) + ") must be in 1.." + std::to_string(data.size()));
        }
        Shape expected(indices.begin(), indices.end() - 1);
        expected.insert(expected.end(), data.begin() + k, data.end());
        if (updates != expected) ctx.fail("updates have shape " + shape_str(updates) + ", expected " + shape_str(expected));
        if (m_reduction != ScatterReduction::None) {
            try {
                if (ctx.input_dtype(0) != LITE_HALF && ctx.input_dtype(0) != LITE_BOOL) dispatch_numeric(ctx.input_dtype(0), [](auto) {});
            } catch (const Error&) {
                ctx.fail(std::string("reductions do not support element type ") + dtype_name(ctx.input_dtype(0)));
            }
        }
        ctx.set_output(0, ctx.input_dtype(0), data);
    }
    void run(RunContext& ctx) override {
        copy_unless_inplace(ctx);
        const TensorView& data = ctx.input(0);
        const TensorView& idx = ctx.input(1);
        const auto k = static_cast<size_t>(idx.shape.back());
        const std::vector<int64_t> strides = strides_of(data.shape);
        int64_t slice = 1;
        for (size_t d = k; d < data.shape.size(); ++d) slice *= data.shape[d];
        const int64_t tuples = numel(idx.shape) / static_cast<int64_t>(k);
        const int64_t* ind = idx.as<int64_t>();
        std::vector<int64_t> offsets(static_cast<size_t>(tuples));
        for (int64_t t = 0; t < tuples; ++t) {
            int64_t offset = 0;
            for (size_t j = 0; j < k; ++j) {
                int64_t i = ind[static_cast<size_t>(t) * k + j], dim = data.shape[j];
                if (i < -dim || i >= dim) {
                    run_fail("ScatterND", "index " + std::to_string(i) + " is out of range for data dim " + std::to_string(j) + " of size " + std::to_string(dim));
                }
                offset += (i < 0 ? i + dim : i) * strides[j];
            }
            offsets[static_cast<size_t>(t)] = offset;
        }
        scatter_apply(data.dtype, m_reduction, ctx.output(0).data, ctx.input(2).data, [&](auto&& apply) {
            for (int64_t t = 0; t < tuples; ++t) apply(offsets[static_cast<size_t>(t)], t * slice, slice);
        });
    }
    bool inplace_ok() const override { return true; }

private:
    ScatterReduction m_reduction;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ScatterND, ScatterNDKernel)
