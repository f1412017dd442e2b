// Constant: its value becomes a constant of the graph at load (folded like any node without inputs).
#include <cstring>

#include "ops/op.h"

namespace lite::ops {
namespace {

class ConstantKernel final : public Kernel {
public:
    ConstantKernel(const Attributes& attributes, int) {
        m_value = attributes.get_tensor("value");
        if (m_value) return;
        // Opset 12+: scalar or list attributes.
        auto owned = std::make_shared<Attributes::OwnedTensor>();
        if (attributes.has("value_float")) {
            float v = attributes.get_float("value_float", 0);
            set(owned, LITE_FLOAT, {}, &v, 4);
        } else if (attributes.has("value_int")) {
            int64_t v = attributes.get_int("value_int");
            set(owned, LITE_INT64, {}, &v, 8);
        } else if (attributes.has("value_floats")) {
            auto v = attributes.get_floats("value_floats");
            set(owned, LITE_FLOAT, {static_cast<int64_t>(v.size())}, v.data(), v.size() * 4);
        } else if (attributes.has("value_ints")) {
            auto v = attributes.get_ints("value_ints");
            set(owned, LITE_INT64, {static_cast<int64_t>(v.size())}, v.data(), v.size() * 8);
        } else {
            attributes.fail("needs a value (value, value_float(s) or value_int(s)); sparse and string values are not supported");
        }
        m_value = owned;
    }
    void infer(InferContext& ctx) override { ctx.set_output(0, m_value->view.dtype, m_value->view.shape); }
    void run(RunContext& ctx) override {
        std::memcpy(ctx.output(0).data, m_value->view.data, m_value->view.nbytes());
    }

private:
    static void set(std::shared_ptr<Attributes::OwnedTensor>& owned, LiteDataType dtype, Shape shape, const void* data, size_t bytes) {
        owned->bytes.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + bytes);
        owned->bytes.resize(std::max<size_t>(bytes, 1));
        owned->view = TensorView{owned->bytes.data(), dtype, std::move(shape)};
    }
    std::shared_ptr<Attributes::OwnedTensor> m_value;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Constant, ConstantKernel)
