// Where: out = condition ? x : y with numpy broadcasting of all three; condition is bool, x and y share any
// element type (the output's). Elements are moved as bytes, so every element type works.
#include "lite/layout.h"
#include "ops/binary.h"

namespace lite::ops {
namespace {

class WhereKernel final : public Kernel {
public:
    WhereKernel(const Attributes&, int) {}
    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != 3) ctx.fail("needs 3 inputs (condition, X, Y)");
        for (size_t k = 0; k < 3; ++k) {
            if (!ctx.has_input(k)) ctx.fail("input " + std::to_string(k) + " is required but missing");
        }
        if (ctx.input_dtype(0) != LITE_BOOL) ctx.fail(std::string("condition must be bool, got ") + dtype_label(ctx.input_dtype(0)));
        if (ctx.input_dtype(1) != ctx.input_dtype(2)) {
            ctx.fail(std::string("X and Y have different element types (") + dtype_label(ctx.input_dtype(1)) + " and " +
                     dtype_label(ctx.input_dtype(2)) + ")");
        }
        Shape shape = broadcast_shapes(ctx.input_shape(0), ctx.input_shape(1), ctx);
        shape = broadcast_shapes(shape, ctx.input_shape(2), ctx);
        ctx.set_output(0, ctx.input_dtype(1), shape);
    }
    void run(RunContext& ctx) override {
        switch (dtype_size(ctx.input(1).dtype)) {
            case 1: select<uint8_t>(ctx); break;
            case 2: select<uint16_t>(ctx); break;
            case 4: select<uint32_t>(ctx); break;
            case 8: select<uint64_t>(ctx); break;
            default: throw Error(ErrorCode::Internal, "Where: unexpected element size");
        }
    }

private:
    template <typename T>
    static void select(RunContext& ctx) {
        const TensorView &c = ctx.input(0), &x = ctx.input(1), &y = ctx.input(2);
        TensorView& out = ctx.output(0);
        const uint8_t* pc = c.as<uint8_t>();
        const T* px = x.as<T>();
        const T* py = y.as<T>();
        T* po = out.as<T>();
        broadcast_spans<3>({&c.shape, &x.shape, &y.shape}, out.shape, ctx,
                           [&](int64_t o, int64_t count, const std::array<int64_t, 3>& off, const std::array<int64_t, 3>& step) {
                               const uint8_t* rc = pc + off[0];
                               const T* rx = px + off[1];
                               const T* ry = py + off[2];
                               T* dst = po + o;
                               for (int64_t i = 0; i < count; ++i) dst[i] = rc[i * step[0]] ? rx[i * step[1]] : ry[i * step[2]];
                           });
    }
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Where, WhereKernel)
