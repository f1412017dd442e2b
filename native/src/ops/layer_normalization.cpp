// LayerNormalization (opset 17): X is seen as rows (the dims before `axis`) of normalized shape X.shape[axis:];
// each row is normalised by its mean and variance, then Y = normalized * Scale + B, Scale and the optional B
// broadcasting to the normalized shape. float32 (stash_type 1: statistics in float32 or wider). The optional
// outputs Mean and InvStdDev have shape X.shape[:axis] + [1, ...].
#include <algorithm>
#include <cmath>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class LayerNormalizationKernel final : public Kernel {
public:
    LayerNormalizationKernel(const Attributes& attributes, int)
            : m_axis(attributes.get_int("axis", -1)), m_epsilon(attributes.get_float("epsilon", 1e-5f)) {
        const int64_t stash_type = attributes.get_int("stash_type", 1);
        if (stash_type != 1) {
            throw Error(ErrorCode::UnsupportedOp, attributes.node_desc() + ": stash_type " + std::to_string(stash_type) +
                                                      " is not supported (only 1, float32)");
        }
    }

    void infer(InferContext& ctx) override {
        for (size_t i = 0; i < 3; ++i) {
            if (ctx.has_input(i) && ctx.input_dtype(i) != LITE_FLOAT) {
                ctx.fail("input " + std::to_string(i) + " must be float32, got " + dtype_label(ctx.input_dtype(i)));
            }
        }
        const Shape& x = ctx.input_shape(0);
        const int64_t rank = static_cast<int64_t>(x.size());
        const int64_t axis = normalize_axis(m_axis, rank, ctx);
        const Shape normalized(x.begin() + axis, x.end());
        for (size_t i = 1; i < 3; ++i) {
            if (!ctx.has_input(i)) continue;
            if (!broadcasts_to(ctx.input_shape(i), normalized)) {
                ctx.fail(std::string(i == 1 ? "Scale " : "B ") + shape_str(ctx.input_shape(i)) + " does not broadcast to the normalized shape " +
                         shape_str(normalized));
            }
        }
        ctx.set_output(0, LITE_FLOAT, x);
        Shape stats(x.begin(), x.begin() + axis);
        stats.resize(x.size(), 1);
        for (size_t i = 1; i < 3 && i < ctx.num_outputs(); ++i) ctx.set_output(i, LITE_FLOAT, stats);
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        const int64_t rank = static_cast<int64_t>(xv.shape.size());
        const int64_t axis = m_axis < 0 ? m_axis + rank : m_axis;
        const Shape normalized(xv.shape.begin() + axis, xv.shape.end());
        const int64_t cols = numel(normalized), rows = cols ? xv.numel() / cols : 0;
        // Scale and B expanded to one value per column.
        std::vector<float> scale = expand(ctx.input(1), normalized);
        std::vector<float> bias = ctx.has_input(2) ? expand(ctx.input(2), normalized) : std::vector<float>(static_cast<size_t>(cols), 0.f);
        const float* x = xv.as<float>();
        float* y = ctx.output(0).as<float>();
        float* mean_out = ctx.num_outputs() > 1 ? ctx.output(1).as<float>() : nullptr;
        float* inv_std_out = ctx.num_outputs() > 2 ? ctx.output(2).as<float>() : nullptr;
        const double epsilon = m_epsilon;
        ctx.parallel_for(rows, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                const float* xr = x + r * cols;
                float* yr = y + r * cols;
                double sum = 0;
                for (int64_t i = 0; i < cols; ++i) sum += xr[i];
                const double mean = sum / cols;
                double squares = 0;
                for (int64_t i = 0; i < cols; ++i) squares += (xr[i] - mean) * (xr[i] - mean);
                const double inv_std = 1.0 / std::sqrt(squares / cols + epsilon);
                for (int64_t i = 0; i < cols; ++i) {
                    yr[i] = static_cast<float>((xr[i] - mean) * inv_std * scale[static_cast<size_t>(i)] + bias[static_cast<size_t>(i)]);
                }
                if (mean_out) mean_out[r] = static_cast<float>(mean);
                if (inv_std_out) inv_std_out[r] = static_cast<float>(inv_std);
            }
        });
    }

private:
    // Whether `shape` broadcasts unidirectionally to `target`.
    static bool broadcasts_to(const Shape& shape, const Shape& target) {
        if (shape.size() > target.size()) return false;
        for (size_t i = 0; i < shape.size(); ++i) {
            const int64_t t = target[target.size() - shape.size() + i];
            if (shape[i] != 1 && shape[i] != t) return false;
        }
        return true;
    }

    static std::vector<float> expand(const TensorView& view, const Shape& target) {
        const int64_t count = numel(target);
        std::vector<float> out(static_cast<size_t>(count));
        const float* data = view.as<float>();
        if (view.shape == target) {
            std::copy(data, data + count, out.begin());
            return out;
        }
        std::vector<int64_t> strides = broadcast_strides(view.shape, target);
        for (int64_t i = 0; i < count; ++i) {
            int64_t rem = i, offset = 0;
            for (size_t d = target.size(); d-- > 0;) {
                offset += (rem % target[d]) * strides[d];
                rem /= target[d];
            }
            out[static_cast<size_t>(i)] = data[offset];
        }
        return out;
    }

    int64_t m_axis;
    float m_epsilon;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(LayerNormalization, LayerNormalizationKernel)
