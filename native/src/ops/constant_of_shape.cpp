// ConstantOfShape: a tensor of the shape given by input 0 (1-D int64), filled with the one-element `value`
// attribute (default float32 0); the output has value's element type.
#include "ops/shape_common.h"

namespace lite::ops {
namespace {

class ConstantOfShapeKernel final : public Kernel {
public:
    ConstantOfShapeKernel(const Attributes& attributes, int) {
        auto value = attributes.get_tensor("value");
        if (value) {
            if (value->view.numel() != 1) attributes.fail("value must hold exactly one element, it has shape " + shape_str(value->view.shape));
            m_dtype = value->view.dtype;
            std::memcpy(&m_fill, value->view.data, dtype_size(m_dtype));
        }
    }
    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_INT64 || ctx.input_shape(0).size() != 1) ctx.fail("the shape input must be a 1-D int64 tensor");
        Shape shape = read_ints(ctx.require_value(0));
        for (int64_t d : shape) {
            if (d < 0) ctx.fail("shape " + shape_str(shape) + " has a negative dim");
        }
        ctx.set_output(0, m_dtype, shape);
    }
    void run(RunContext& ctx) override {
        TensorView& out = ctx.output(0);
        dispatch_bytes(dtype_size(m_dtype), [&](auto zero) {
            using T = decltype(zero);
            T value;
            std::memcpy(&value, &m_fill, sizeof(T));
            T* dst = out.as<T>();
            ctx.parallel_for(out.numel(), [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) dst[i] = value;
            });
        });
    }

private:
    LiteDataType m_dtype = LITE_FLOAT;
    uint64_t m_fill = 0;  // one element's bytes
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ConstantOfShape, ConstantOfShapeKernel)
