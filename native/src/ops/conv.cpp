// Conv: direct N-D (1-D to 3-D) convolution, float32. X (N, C, spatial...), W (M, C/group, kernel...), optional
// B (M). Groups (depthwise included), strides, dilations, explicit pads or auto_pad. A fused activation is applied
// to every output element after the bias. The reference kernel: a plain loop nest, parallel over (batch, M).
#include "ops/conv_common.h"
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class ConvKernel final : public Kernel {
public:
    ConvKernel(const Attributes& attributes, int) : m_window(attributes), m_group(attributes.get_int("group", 1)) {
        if (m_group <= 0) attributes.fail("group must be positive");
    }

    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() > (m_residual ? 4u : 3u)) ctx.fail("has " + std::to_string(ctx.num_inputs()) + " inputs; Conv takes at most 3");
        for (size_t i = 0; i < ctx.num_inputs(); ++i) {
            if (ctx.has_input(i) && ctx.input_dtype(i) != LITE_FLOAT) {
                ctx.fail("input " + std::to_string(i) + " must be float32, got " + dtype_label(ctx.input_dtype(i)));
            }
        }
        Window3 w;
        std::string why = geometry(ctx.input_shape(0), ctx.input_shape(1), ctx.has_input(2) ? &ctx.input_shape(2) : nullptr, w);
        if (!why.empty()) ctx.fail(why);
        const Shape& x = ctx.input_shape(0);
        Shape out{x[0], ctx.input_shape(1)[0]};
        for (size_t i = 3 - (x.size() - 2); i < 3; ++i) out.push_back(w.out[i]);
        if (m_residual) {
            if (!ctx.has_input(3)) ctx.fail("the fused residual input is missing");
            why = residual_geometry(ctx.input_shape(3), out);
            if (!why.empty()) ctx.fail(why);
        }
        ctx.set_output(0, LITE_FLOAT, out);
    }

    bool fuse_residual_add() override {
        m_residual = true;
        return true;
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        const TensorView& wv = ctx.input(1);
        const bool has_bias = ctx.has_input(2);
        Window3 w;
        std::string why = geometry(xv.shape, wv.shape, has_bias ? &ctx.input(2).shape : nullptr, w);
        if (!why.empty()) throw Error(ErrorCode::Internal, "Conv: " + why);
        TensorView& yv = ctx.output(0);
        const float* x = xv.as<float>();
        const float* weights = wv.as<float>();
        const float* bias = has_bias ? ctx.input(2).as<float>() : nullptr;
        float* y = yv.as<float>();
        const int64_t batch = xv.shape[0], channels = xv.shape[1], maps = wv.shape[0];
        const int64_t group_channels = channels / m_group, group_maps = maps / m_group;
        const int64_t in_size = w.in_size(), out_size = w.out_size(), kernel_size = w.kernel_size();
        const Activation act = m_activation;
        const bool has_residual = m_residual && ctx.has_input(3);
        const float* residual = has_residual ? ctx.input(3).as<float>() : nullptr;
        const int64_t residual_maps = has_residual ? ctx.input(3).shape[1] : 0;

        ctx.parallel_for(batch * maps, [&](int64_t begin, int64_t end) {
            for (int64_t nm = begin; nm < end; ++nm) {
                const int64_t n = nm / maps, m = nm % maps, g = m / group_maps;
                const float* x_group = x + (n * channels + g * group_channels) * in_size;
                const float* w_map = weights + m * group_channels * kernel_size;
                float* y_map = y + nm * out_size;
                for (int64_t od = 0; od < w.out[0]; ++od)
                for (int64_t oh = 0; oh < w.out[1]; ++oh)
                for (int64_t ow = 0; ow < w.out[2]; ++ow) {
                    double sum = 0;
                    for (int64_t c = 0; c < group_channels; ++c) {
                        const float* xc = x_group + c * in_size;
                        const float* wc = w_map + c * kernel_size;
                        for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
                            const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                            if (id < 0 || id >= w.in[0]) continue;
                            for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
                                const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                                if (ih < 0 || ih >= w.in[1]) continue;
                                for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
                                    const int64_t iw = ow * w.stride[2] - w.pad_begin[2] + kw * w.dilation[2];
                                    if (iw < 0 || iw >= w.in[2]) continue;
                                    sum += static_cast<double>(xc[(id * w.in[1] + ih) * w.in[2] + iw]) *
                                           wc[(kd * w.kernel[1] + kh) * w.kernel[2] + kw];
                                }
                            }
                        }
                    }
                    float value = static_cast<float>(sum);
                    if (bias) value += bias[m];
                    if (m < residual_maps) value += residual[(n * residual_maps + m) * out_size + (od * w.out[1] + oh) * w.out[2] + ow];
                    y_map[(od * w.out[1] + oh) * w.out[2] + ow] = act.apply(value);
                }
            }
        });
    }

    bool fuse_activation(const Activation& activation) override { return m_activation.then(activation); }

private:
    // Validates shapes and resolves the window; returns "" or why not.
    std::string geometry(const Shape& x, const Shape& wshape, const Shape* b, Window3& w) const {
        if (x.size() < 3) return "X must have rank 3 to 5 (N, C, spatial...), got " + shape_str(x);
        if (wshape.size() != x.size()) return "W " + shape_str(wshape) + " must have the rank of X " + shape_str(x);
        if (x[1] % m_group != 0) return "X has " + std::to_string(x[1]) + " channels, not divisible by group " + std::to_string(m_group);
        if (wshape[1] * m_group != x[1]) {
            return "W " + shape_str(wshape) + " expects " + std::to_string(wshape[1] * m_group) + " input channels (group " +
                   std::to_string(m_group) + "), X " + shape_str(x) + " has " + std::to_string(x[1]);
        }
        if (wshape[0] % m_group != 0) return "W has " + std::to_string(wshape[0]) + " output maps, not divisible by group " + std::to_string(m_group);
        if (b && (b->size() != 1 || (*b)[0] != wshape[0])) return "B " + shape_str(*b) + " must have shape [" + std::to_string(wshape[0]) + "]";
        std::vector<int64_t> kernel(wshape.begin() + 2, wshape.end());
        if (!m_window.kernel_shape.empty() && m_window.kernel_shape != kernel) {
            return "kernel_shape " + shape_str(m_window.kernel_shape) + " does not match W " + shape_str(wshape);
        }
        return forward_window(m_window, Shape(x.begin() + 2, x.end()), kernel, w);
    }

    WindowAttrs m_window;
    int64_t m_group;
    Activation m_activation;
    bool m_residual = false;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Conv, ConvKernel)
