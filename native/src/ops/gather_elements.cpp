// GatherElements: out[i0..in] = data[i0..index..in] with index = indices[i0..in] at `axis`; output shape is the
// indices' shape (every dim but axis at most data's).
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class GatherElementsKernel final : public Kernel {
public:
    GatherElementsKernel(const Attributes& attributes, int) : m_axis(attributes.get_int("axis", 0)) {}
    void infer(InferContext& ctx) override {
        const Shape& data = ctx.input_shape(0);
        const Shape& indices = ctx.input_shape(1);
        if (!is_int_index(ctx.input_dtype(1))) ctx.fail("indices must be int32 or int64");
        if (data.empty() || indices.size() != data.size()) {
            ctx.fail("data " + shape_str(data) + " and indices " + shape_str(indices) + " must have the same rank, at least 1");
        }
        m_resolved = normalize_axis(m_axis, static_cast<int64_t>(data.size()), ctx);
        for (size_t d = 0; d < data.size(); ++d) {
            if (d != static_cast<size_t>(m_resolved) && indices[d] > data[d]) {
                ctx.fail("indices " + shape_str(indices) + " exceed data " + shape_str(data) + " at dim " + std::to_string(d));
            }
        }
        ctx.set_output(0, ctx.input_dtype(0), indices);
    }
    void run(RunContext& ctx) override {
        const TensorView& data = ctx.input(0);
        const TensorView& idx = ctx.input(1);
        const std::vector<int64_t> indices = read_ints(idx);
        const auto axis = static_cast<size_t>(m_resolved);
        const int64_t dim = data.shape[axis];
        for (int64_t i : indices) {
            if (i < -dim || i >= dim) {
                run_fail("GatherElements", "index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(dim));
            }
        }
        const std::vector<int64_t> strides = strides_of(data.shape);
        const size_t rank = idx.shape.size();
        const int64_t inner = idx.shape[rank - 1];
        const int64_t total = static_cast<int64_t>(indices.size());
        if (total == 0) return;
        dispatch_bytes(dtype_size(data.dtype), [&](auto zero) {
            using T = decltype(zero);
            const T* src = data.as<T>();
            T* dst = ctx.output(0).as<T>();
            const int64_t axis_stride = strides[axis];
            const int64_t inner_stride = rank - 1 == axis ? 0 : strides[rank - 1];
            ctx.parallel_for(total / inner, [&](int64_t begin, int64_t end) {
                for (int64_t row = begin; row < end; ++row) {
                    // Offset of this row in data from its multi-index, without the axis dim.
                    int64_t rem = row, base = 0;
                    for (size_t d = rank - 1; d-- > 0;) {
                        int64_t i = rem % idx.shape[d];
                        rem /= idx.shape[d];
                        if (d != axis) base += i * strides[d];
                    }
                    const int64_t* ind = indices.data() + row * inner;
                    T* o = dst + row * inner;
                    for (int64_t j = 0; j < inner; ++j) {
                        int64_t k = ind[j] < 0 ? ind[j] + dim : ind[j];
                        o[j] = src[base + j * inner_stride + k * axis_stride];
                    }
                }
            });
        });
    }

private:
    int64_t m_axis;
    int64_t m_resolved = 0;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(GatherElements, GatherElementsKernel)
