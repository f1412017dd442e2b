// AveragePool: N-D (1-D to 3-D) average pooling, float32. kernel_shape, strides, pads or auto_pad, ceil_mode,
// dilations (opset 19), count_include_pad: with it the divisor counts the window's positions inside the padded
// input, without it only those inside the input.
#include "ops/conv_common.h"
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class AveragePoolKernel final : public Kernel {
public:
    AveragePoolKernel(const Attributes& attributes, int)
            : m_window(attributes), m_count_include_pad(attributes.get_int("count_include_pad", 0) != 0) {
        if (m_window.kernel_shape.empty()) attributes.fail("required attribute 'kernel_shape' is missing");
    }

    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_FLOAT) ctx.fail(std::string("X must be float32, got ") + dtype_label(ctx.input_dtype(0)));
        const Shape& x = ctx.input_shape(0);
        Window3 w;
        std::string why = geometry(x, w);
        if (!why.empty()) ctx.fail(why);
        Shape out{x[0], x[1]};
        for (size_t i = 3 - (x.size() - 2); i < 3; ++i) out.push_back(w.out[i]);
        ctx.set_output(0, LITE_FLOAT, out);
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        Window3 w;
        std::string why = geometry(xv.shape, w);
        if (!why.empty()) throw Error(ErrorCode::Internal, "AveragePool: " + why);
        const float* x = xv.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t planes = xv.shape[0] * xv.shape[1], in_size = w.in_size(), out_size = w.out_size();
        const bool include_pad = m_count_include_pad;
        // Whether position i of spatial dim a counts towards the divisor.
        auto counted = [&](int a, int64_t i) {
            return include_pad ? i >= -w.pad_begin[a] && i < w.in[a] + w.pad_end[a] : i >= 0 && i < w.in[a];
        };
        ctx.parallel_for(planes, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                const float* xp = x + p * in_size;
                for (int64_t od = 0; od < w.out[0]; ++od)
                for (int64_t oh = 0; oh < w.out[1]; ++oh)
                for (int64_t ow = 0; ow < w.out[2]; ++ow) {
                    double sum = 0;
                    int64_t count = 0;
                    for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
                        const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                        if (!counted(0, id)) continue;
                        for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
                            const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                            if (!counted(1, ih)) continue;
                            for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
                                const int64_t iw = ow * w.stride[2] - w.pad_begin[2] + kw * w.dilation[2];
                                if (!counted(2, iw)) continue;
                                ++count;
                                const bool inside = id >= 0 && id < w.in[0] && ih >= 0 && ih < w.in[1] && iw >= 0 && iw < w.in[2];
                                if (inside) sum += xp[(id * w.in[1] + ih) * w.in[2] + iw];
                            }
                        }
                    }
                    y[p * out_size + (od * w.out[1] + oh) * w.out[2] + ow] = count ? static_cast<float>(sum / count) : 0.f;
                }
            }
        });
    }

private:
    std::string geometry(const Shape& x, Window3& w) const {
        if (x.size() < 3) return "X must have rank 3 to 5 (N, C, spatial...), got " + shape_str(x);
        return forward_window(m_window, Shape(x.begin() + 2, x.end()), m_window.kernel_shape, w);
    }

    WindowAttrs m_window;
    bool m_count_include_pad;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(AveragePool, AveragePoolKernel)
