// BatchNormalization, inference mode: Y = (X - mean) / sqrt(var + epsilon) * scale + B per channel (dim 1) of
// X (N, C, ...), float32. Training mode (training_mode=1: batch statistics, updated running stats) is not
// supported. Optional outputs 1 and 2 (running mean and variance) are the inputs unchanged, as inference leaves
// them.
#include <cmath>
#include <cstring>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class BatchNormalizationKernel final : public Kernel {
public:
    BatchNormalizationKernel(const Attributes& attributes, int)
            : m_epsilon(attributes.get_float("epsilon", 1e-5f)) {
        if (attributes.get_int("training_mode", 0) != 0) {
            throw Error(ErrorCode::UnsupportedOp, attributes.node_desc() + ": training_mode=1 is not supported (inference only)");
        }
        if (attributes.get_int("spatial", 1) == 0) {
            throw Error(ErrorCode::UnsupportedOp, attributes.node_desc() + ": spatial=0 (per-activation statistics) is not supported");
        }
    }

    void infer(InferContext& ctx) override {
        for (size_t i = 0; i < 5; ++i) {
            if (ctx.input_dtype(i) != LITE_FLOAT) ctx.fail("input " + std::to_string(i) + " must be float32, got " + dtype_label(ctx.input_dtype(i)));
        }
        const Shape& x = ctx.input_shape(0);
        if (x.size() < 2) ctx.fail("X must have rank 2 or more (N, C, ...), got " + shape_str(x));
        static const char* names[] = {"X", "scale", "B", "input_mean", "input_var"};
        for (size_t i = 1; i < 5; ++i) {
            const Shape& s = ctx.input_shape(i);
            if (s.size() != 1 || s[0] != x[1]) ctx.fail(std::string(names[i]) + " " + shape_str(s) + " must have shape [" + std::to_string(x[1]) + "]");
        }
        if (ctx.num_outputs() > 3) ctx.fail("the saved_mean/saved_var outputs exist only in training mode, which is not supported");
        ctx.set_output(0, LITE_FLOAT, x);
        for (size_t i = 1; i < ctx.num_outputs(); ++i) ctx.set_output(i, LITE_FLOAT, {x[1]});
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        const float* x = xv.as<float>();
        const float* scale = ctx.input(1).as<float>();
        const float* bias = ctx.input(2).as<float>();
        const float* mean = ctx.input(3).as<float>();
        const float* var = ctx.input(4).as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t channels = xv.shape[1], planes = xv.shape[0] * channels;
        const int64_t size = planes ? xv.numel() / planes : 0;
        const float epsilon = m_epsilon;
        ctx.parallel_for(planes, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                const int64_t c = p % channels;
                const float inv_std = 1.f / std::sqrt(var[c] + epsilon);
                for (int64_t i = 0; i < size; ++i) y[p * size + i] = (x[p * size + i] - mean[c]) * inv_std * scale[c] + bias[c];
            }
        });
        for (size_t i = 1; i < ctx.num_outputs() && i < 3; ++i) {
            TensorView& out = ctx.output(i);
            if (out.data) std::memcpy(out.data, ctx.input(i + 2).data, static_cast<size_t>(channels) * sizeof(float));
        }
    }

private:
    float m_epsilon;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(BatchNormalization, BatchNormalizationKernel)
