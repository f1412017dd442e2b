// GatherND: each index tuple (the last dim of indices, k entries) picks a slice data[b..., i0..ik-1, :] within its
// batch (the first batch_dims dims, shared by data and indices).
// Output shape: indices.shape[:-1] + data.shape[batch_dims + k:].
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class GatherNDKernel final : public Kernel {
public:
    GatherNDKernel(const Attributes& attributes, int) : m_batch_dims(attributes.get_int("batch_dims", 0)) {}
    void infer(InferContext& ctx) override {
        const Shape& data = ctx.input_shape(0);
        const Shape& indices = ctx.input_shape(1);
        if (ctx.input_dtype(1) != LITE_INT64) ctx.fail("indices must be int64");
        const auto r = static_cast<int64_t>(data.size()), q = static_cast<int64_t>(indices.size()), b = m_batch_dims;
        if (r < 1 || q < 1) ctx.fail("data and indices must have at least one dim");
        if (b < 0 || b >= std::min(r, q)) ctx.fail("batch_dims " + std::to_string(b) + " must be less than both ranks");
        for (int64_t d = 0; d < b; ++d) {
            if (data[static_cast<size_t>(d)] != indices[static_cast<size_t>(d)]) {
                ctx.fail("batch dims of data " + shape_str(data) + " and indices " + shape_str(indices) + " differ");
            }
        }
        const int64_t k = indices.back();
        if (k < 1 || k > r - b) ctx.fail("the last dim of indices (" + std::to_string(k) + ") must be in 1.." + std::to_string(r - b));
        Shape out(indices.begin(), indices.end() - 1);
        out.insert(out.end(), data.begin() + b + k, data.end());
        ctx.set_output(0, ctx.input_dtype(0), out);
    }
    void run(RunContext& ctx) override {
        const TensorView& data = ctx.input(0);
        const TensorView& idx = ctx.input(1);
        const auto b = static_cast<size_t>(m_batch_dims);
        const auto k = static_cast<size_t>(idx.shape.back());
        const std::vector<int64_t> strides = strides_of(data.shape);
        int64_t batches = 1, tuples = 1, slice = 1;
        for (size_t d = 0; d < b; ++d) batches *= data.shape[d];
        for (size_t d = b; d + 1 < idx.shape.size(); ++d) tuples *= idx.shape[d];
        for (size_t d = b + k; d < data.shape.size(); ++d) slice *= data.shape[d];
        const int64_t batch_stride = b ? strides[b - 1] : numel(data.shape);
        const int64_t* ind = idx.as<int64_t>();
        const size_t elem = dtype_size(data.dtype), slice_bytes = static_cast<size_t>(slice) * elem;
        const auto* src = static_cast<const uint8_t*>(data.data);
        auto* dst = static_cast<uint8_t*>(ctx.output(0).data);
        const int64_t total = batches * tuples;
        for (int64_t t = 0; t < total; ++t) {
            for (size_t j = 0; j < k; ++j) {
                int64_t i = ind[static_cast<size_t>(t) * k + j], dim = data.shape[b + j];
                if (i < -dim || i >= dim) {
                    run_fail("GatherND", "index " + std::to_string(i) + " is out of range for data dim " + std::to_string(b + j) + " of size " + std::to_string(dim));
                }
            }
        }
        if (slice_bytes == 0) return;
        ctx.parallel_for(total, [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t) {
                int64_t offset = (t / tuples) * batch_stride;
                for (size_t j = 0; j < k; ++j) {
                    int64_t i = ind[static_cast<size_t>(t) * k + j];
                    offset += (i < 0 ? i + data.shape[b + j] : i) * strides[b + j];
                }
                std::memcpy(dst + static_cast<size_t>(t) * slice_bytes, src + static_cast<size_t>(offset) * elem, slice_bytes);
            }
        });
    }

private:
    int64_t m_batch_dims;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(GatherND, GatherNDKernel)
