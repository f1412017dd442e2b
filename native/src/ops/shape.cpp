// Shape: the input's dims as a 1-D int64 tensor; start/end (opset 15) pick a range of dims, clamped like Slice.
#include <algorithm>

#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class ShapeKernel final : public Kernel {
public:
    ShapeKernel(const Attributes& attributes, int)
            : m_start(attributes.get_int("start", 0)), m_has_end(attributes.has("end")), m_end(attributes.get_int("end", 0)) {}
    void infer(InferContext& ctx) override {
        const auto rank = static_cast<int64_t>(ctx.input_shape(0).size());
        auto clamp = [&](int64_t v) { return std::min(std::max<int64_t>(v < 0 ? v + rank : v, 0), rank); };
        m_first = clamp(m_start);
        m_last = m_has_end ? clamp(m_end) : rank;
        ctx.set_output(0, LITE_INT64, {std::max<int64_t>(m_last - m_first, 0)});
    }
    bool output_from_input_shapes() const override { return true; }
    void run(RunContext& ctx) override {
        const Shape& shape = ctx.input(0).shape;
        auto* out = ctx.output(0).as<int64_t>();
        for (int64_t i = m_first; i < m_last; ++i) out[i - m_first] = shape[static_cast<size_t>(i)];
    }

private:
    int64_t m_start;
    bool m_has_end;
    int64_t m_end;
    int64_t m_first = 0, m_last = 0;  // resolved by infer
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Shape, ShapeKernel)
