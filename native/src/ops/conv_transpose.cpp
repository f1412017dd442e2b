// ConvTranspose: N-D (1-D to 3-D) transposed convolution, float32. X (N, C, spatial...), W (C, M/group, kernel...),
// optional B (M). Strides, dilations, groups, pads / auto_pad, output_padding and output_shape. Computed as a gather
// per output element (each output sums the inputs whose strided, dilated window covers it), so the outer loop over
// (batch, M) runs in parallel without write races. A fused activation is applied after the bias.
#include <algorithm>

#include "ops/conv_common.h"
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class ConvTransposeKernel final : public Kernel {
public:
    ConvTransposeKernel(const Attributes& attributes, int)
            : m_window(attributes),
              m_group(attributes.get_int("group", 1)),
              m_output_padding(attributes.get_ints("output_padding")),
              m_output_shape(attributes.get_ints("output_shape")) {
        if (m_group <= 0) attributes.fail("group must be positive");
        for (int64_t v : m_output_padding) if (v < 0) attributes.fail("output_padding must not be negative");
        for (int64_t v : m_output_shape) if (v <= 0) attributes.fail("output_shape values must be positive");
    }

    void infer(InferContext& ctx) override {
        for (size_t i = 0; i < 3; ++i) {
            if (ctx.has_input(i) && ctx.input_dtype(i) != LITE_FLOAT) {
                ctx.fail("input " + std::to_string(i) + " must be float32, got " + dtype_label(ctx.input_dtype(i)));
            }
        }
        Window3 w;
        std::string why = geometry(ctx.input_shape(0), ctx.input_shape(1), ctx.has_input(2) ? &ctx.input_shape(2) : nullptr, w);
        if (!why.empty()) ctx.fail(why);
        const Shape& x = ctx.input_shape(0);
        Shape out{x[0], ctx.input_shape(1)[1] * m_group};
        for (size_t i = 3 - (x.size() - 2); i < 3; ++i) out.push_back(w.out[i]);
        ctx.set_output(0, LITE_FLOAT, out);
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        const TensorView& wv = ctx.input(1);
        const bool has_bias = ctx.has_input(2);
        Window3 w;
        std::string why = geometry(xv.shape, wv.shape, has_bias ? &ctx.input(2).shape : nullptr, w);
        if (!why.empty()) throw Error(ErrorCode::Internal, "ConvTranspose: " + why);
        const float* x = xv.as<float>();
        const float* weights = wv.as<float>();
        const float* bias = has_bias ? ctx.input(2).as<float>() : nullptr;
        float* y = ctx.output(0).as<float>();
        const int64_t batch = xv.shape[0], channels = xv.shape[1];
        const int64_t group_channels = channels / m_group, group_maps = wv.shape[1], maps = group_maps * m_group;
        const int64_t in_size = w.in_size(), out_size = w.out_size(), kernel_size = w.kernel_size();
        const Activation act = m_activation;

        ctx.parallel_for(batch * maps, [&](int64_t begin, int64_t end) {
            for (int64_t nm = begin; nm < end; ++nm) {
                const int64_t n = nm / maps, m = nm % maps, g = m / group_maps, m_in_group = m % group_maps;
                const float* x_group = x + (n * channels + g * group_channels) * in_size;
                float* y_map = y + nm * out_size;
                for (int64_t od = 0; od < w.out[0]; ++od)
                for (int64_t oh = 0; oh < w.out[1]; ++oh)
                for (int64_t ow = 0; ow < w.out[2]; ++ow) {
                    double sum = 0;
                    for (int64_t c = 0; c < group_channels; ++c) {
                        const float* xc = x_group + c * in_size;
                        // W is (C, M/group, kernel...): input channel g*group_channels + c, map m_in_group.
                        const float* wc = weights + ((g * group_channels + c) * group_maps + m_in_group) * kernel_size;
                        for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
                            const int64_t td = od + w.pad_begin[0] - kd * w.dilation[0];
                            if (td < 0 || td % w.stride[0] != 0 || td / w.stride[0] >= w.in[0]) continue;
                            const int64_t id = td / w.stride[0];
                            for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
                                const int64_t th = oh + w.pad_begin[1] - kh * w.dilation[1];
                                if (th < 0 || th % w.stride[1] != 0 || th / w.stride[1] >= w.in[1]) continue;
                                const int64_t ih = th / w.stride[1];
                                for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
                                    const int64_t tw = ow + w.pad_begin[2] - kw * w.dilation[2];
                                    if (tw < 0 || tw % w.stride[2] != 0 || tw / w.stride[2] >= w.in[2]) continue;
                                    const int64_t iw = tw / w.stride[2];
                                    sum += static_cast<double>(xc[(id * w.in[1] + ih) * w.in[2] + iw]) *
                                           wc[(kd * w.kernel[1] + kh) * w.kernel[2] + kw];
                                }
                            }
                        }
                    }
                    float value = static_cast<float>(sum);
                    if (bias) value += bias[m];
                    y_map[(od * w.out[1] + oh) * w.out[2] + ow] = act.apply(value);
                }
            }
        });
    }

    bool fuse_activation(const Activation& activation) override { return m_activation.then(activation); }

private:
    // Validates shapes and resolves output sizes and leading pads; returns "" or why not.
    std::string geometry(const Shape& x, const Shape& wshape, const Shape* b, Window3& w) const {
        if (x.size() < 3) return "X must have rank 3 to 5 (N, C, spatial...), got " + shape_str(x);
        if (wshape.size() != x.size()) return "W " + shape_str(wshape) + " must have the rank of X " + shape_str(x);
        if (wshape[0] != x[1]) return "W " + shape_str(wshape) + " expects " + std::to_string(wshape[0]) + " input channels, X " + shape_str(x) + " has " + std::to_string(x[1]);
        if (x[1] % m_group != 0) return "X has " + std::to_string(x[1]) + " channels, not divisible by group " + std::to_string(m_group);
        const int64_t maps = wshape[1] * m_group;
        if (b && (b->size() != 1 || (*b)[0] != maps)) return "B " + shape_str(*b) + " must have shape [" + std::to_string(maps) + "]";
        const size_t rank = x.size() - 2;
        std::string why = m_window.check_rank(rank);
        if (!why.empty()) return why;
        std::vector<int64_t> kernel(wshape.begin() + 2, wshape.end());
        if (!m_window.kernel_shape.empty() && m_window.kernel_shape != kernel) {
            return "kernel_shape " + shape_str(m_window.kernel_shape) + " does not match W " + shape_str(wshape);
        }
        if (!m_output_padding.empty() && m_output_padding.size() != rank) {
            return "output_padding has " + std::to_string(m_output_padding.size()) + " values for " + std::to_string(rank) + " spatial dims";
        }
        // output_shape lists the spatial dims (a full N, C, spatial... form is accepted too).
        std::vector<int64_t> output_shape = m_output_shape;
        if (output_shape.size() == rank + 2) output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
        if (!output_shape.empty() && output_shape.size() != rank) {
            return "output_shape has " + std::to_string(m_output_shape.size()) + " values for " + std::to_string(rank) + " spatial dims";
        }
        const size_t off = 3 - rank;
        for (size_t i = 0; i < rank; ++i) {
            const int64_t in = x[2 + i], s = m_window.stride(i), d = m_window.dilation(i), k = kernel[i];
            const int64_t op = m_output_padding.empty() ? 0 : m_output_padding[i];
            // Output size before cropping by pads.
            const int64_t full = s * (in - 1) + op + (k - 1) * d + 1;
            int64_t out = 0, pb = 0;
            const bool same = m_window.auto_pad == AutoPad::SameUpper || m_window.auto_pad == AutoPad::SameLower;
            if (!output_shape.empty() || same) {
                // The pads follow from the requested size; SAME_UPPER puts an odd pad's extra unit at the end.
                // A requested size beyond the full output extends it at the end with outputs no input reaches.
                out = !output_shape.empty() ? output_shape[i] : in * s;
                const int64_t total = std::max<int64_t>(0, full - out);
                pb = m_window.auto_pad == AutoPad::SameUpper ? total / 2 : total - total / 2;
            } else if (m_window.auto_pad == AutoPad::Valid) {
                out = full;
            } else {
                pb = m_window.pad_begin(i);
                out = full - pb - m_window.pad_end(i, rank);
            }
            if (out <= 0) return "the output of spatial dim " + std::to_string(i) + " would be empty (" + std::to_string(out) + ")";
            w.in[off + i] = in;
            w.out[off + i] = out;
            w.kernel[off + i] = k;
            w.stride[off + i] = s;
            w.dilation[off + i] = d;
            w.pad_begin[off + i] = pb;
        }
        return "";
    }

    WindowAttrs m_window;
    int64_t m_group;
    std::vector<int64_t> m_output_padding, m_output_shape;
    Activation m_activation;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(ConvTranspose, ConvTransposeKernel)
