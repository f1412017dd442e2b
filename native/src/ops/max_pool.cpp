// MaxPool: N-D (1-D to 3-D) max pooling over float32, int8 or uint8. kernel_shape, strides, dilations, pads or
// auto_pad, ceil_mode; padding never wins the max, a NaN always does (the first one). The optional Indices output
// (int64) holds each max's flat index into X, row-major (storage_order 0) or with the spatial dims in column-major
// order (storage_order 1).
#include <algorithm>
#include <limits>

#include "ops/conv_common.h"
#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class MaxPoolKernel final : public Kernel {
public:
    MaxPoolKernel(const Attributes& attributes, int)
            : m_window(attributes), m_storage_order(attributes.get_int("storage_order", 0)) {
        if (m_window.kernel_shape.empty()) attributes.fail("required attribute 'kernel_shape' is missing");
        if (m_storage_order != 0 && m_storage_order != 1) attributes.fail("storage_order must be 0 or 1");
    }

    void infer(InferContext& ctx) override {
        LiteDataType dtype = ctx.input_dtype(0);
        if (dtype != LITE_FLOAT && dtype != LITE_INT8 && dtype != LITE_UINT8) {
            ctx.fail(std::string("X must be float32, int8 or uint8, got ") + dtype_label(dtype));
        }
        const Shape& x = ctx.input_shape(0);
        Window3 w;
        std::string why = geometry(x, w);
        if (!why.empty()) ctx.fail(why);
        Shape out{x[0], x[1]};
        for (size_t i = 3 - (x.size() - 2); i < 3; ++i) out.push_back(w.out[i]);
        ctx.set_output(0, dtype, out);
        if (ctx.num_outputs() > 1) ctx.set_output(1, LITE_INT64, out);
    }

    void run(RunContext& ctx) override {
        const TensorView& xv = ctx.input(0);
        Window3 w;
        std::string why = geometry(xv.shape, w);
        if (!why.empty()) throw Error(ErrorCode::Internal, "MaxPool: " + why);
        int64_t* indices = nullptr;
        if (ctx.num_outputs() > 1) indices = ctx.output(1).as<int64_t>();
        switch (xv.dtype) {
            case LITE_FLOAT: pool<float>(ctx, w, indices); break;
            case LITE_INT8: pool<int8_t>(ctx, w, indices); break;
            case LITE_UINT8: pool<uint8_t>(ctx, w, indices); break;
            default: throw Error(ErrorCode::UnsupportedOp, std::string("MaxPool: element type ") + dtype_label(xv.dtype) + " is not supported");
        }
    }

private:
    std::string geometry(const Shape& x, Window3& w) const {
        if (x.size() < 3) return "X must have rank 3 to 5 (N, C, spatial...), got " + shape_str(x);
        return forward_window(m_window, Shape(x.begin() + 2, x.end()), m_window.kernel_shape, w);
    }

    template <typename T>
    void pool(RunContext& ctx, const Window3& w, int64_t* indices) const {
        const TensorView& xv = ctx.input(0);
        const T* x = xv.as<T>();
        T* y = ctx.output(0).as<T>();
        const int64_t planes = xv.shape[0] * xv.shape[1], in_size = w.in_size(), out_size = w.out_size();
        const bool column_major = m_storage_order == 1;
        if (!indices && w.in[0] == 1 && w.out[0] == 1 && w.kernel[0] == 1 && w.dilation[1] == 1 && w.dilation[2] == 1) {
            pool_2d_fast(ctx, w, x, y, planes, in_size, out_size);
            return;
        }
        ctx.parallel_for(planes, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                const T* xp = x + p * in_size;
                for (int64_t od = 0; od < w.out[0]; ++od)
                for (int64_t oh = 0; oh < w.out[1]; ++oh)
                for (int64_t ow = 0; ow < w.out[2]; ++ow) {
                    T best = std::numeric_limits<T>::lowest();
                    int64_t best_d = -1, best_h = -1, best_w = -1;
                    for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
                        const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd * w.dilation[0];
                        if (id < 0 || id >= w.in[0]) continue;
                        for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
                            const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh * w.dilation[1];
                            if (ih < 0 || ih >= w.in[1]) continue;
                            for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
                                const int64_t iw = ow * w.stride[2] - w.pad_begin[2] + kw * w.dilation[2];
                                if (iw < 0 || iw >= w.in[2]) continue;
                                const T v = xp[(id * w.in[1] + ih) * w.in[2] + iw];
                                if (best_d < 0 || v > best || (v != v && best == best)) {  // NaN wins, like numpy
                                    best = v;
                                    best_d = id, best_h = ih, best_w = iw;
                                }
                            }
                        }
                    }
                    const int64_t o = p * out_size + (od * w.out[1] + oh) * w.out[2] + ow;
                    y[o] = best;
                    if (indices) {
                        if (best_d < 0) {
                            indices[o] = -1;
                        } else {
                            const int64_t local = column_major ? (best_w * w.in[1] + best_h) * w.in[0] + best_d
                                                               : (best_d * w.in[1] + best_h) * w.in[2] + best_w;
                            indices[o] = p * in_size + local;
                        }
                    }
                }
            }
        });
    }

    //! 1-D / 2-D pooling without dilation or Indices: the same maxima as the general loop (first element of the
    //! window, then v > best or a first NaN), with the window clipped once per output row and no per-element
    //! bounds checks for the columns whose window lies inside the input.
    template <typename T>
    static void pool_2d_fast(RunContext& ctx, const Window3& w, const T* x, T* y, int64_t planes, int64_t in_size,
                             int64_t out_size) {
        const int64_t H = w.in[1], W = w.in[2], OH = w.out[1], OW = w.out[2];
        const int64_t KH = w.kernel[1], KW = w.kernel[2], SH = w.stride[1], SW = w.stride[2];
        const int64_t PH = w.pad_begin[1], PW = w.pad_begin[2];
        // Columns ow in [ow_lo, ow_hi) have iw0 = ow * SW - PW >= 0 and iw0 + KW <= W.
        int64_t ow_lo = (PW + SW - 1) / SW, ow_hi = W - KW + PW >= 0 ? (W - KW + PW) / SW + 1 : 0;
        ow_lo = std::min(ow_lo, OW);
        ow_hi = std::max(ow_lo, std::min(ow_hi, OW));
        ctx.parallel_for(planes, [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
                const T* xp = x + p * in_size;
                T* yp = y + p * out_size;
                for (int64_t oh = 0; oh < OH; ++oh) {
                    const int64_t ih0 = oh * SH - PH;
                    const int64_t kh_begin = std::max<int64_t>(0, -ih0), kh_end = std::min(KH, H - ih0);
                    T* yrow = yp + oh * OW;
                    auto edge = [&](int64_t ow) {
                        const int64_t iw0 = ow * SW - PW;
                        const int64_t kw_begin = std::max<int64_t>(0, -iw0), kw_end = std::min(KW, W - iw0);
                        T best = std::numeric_limits<T>::lowest();
                        bool first = true;
                        for (int64_t kh = kh_begin; kh < kh_end; ++kh) {
                            const T* r = xp + (ih0 + kh) * W + iw0;
                            for (int64_t kw = kw_begin; kw < kw_end; ++kw) {
                                const T v = r[kw];
                                if (first || v > best || (v != v && best == best)) best = v;
                                first = false;
                            }
                        }
                        yrow[ow] = best;
                    };
                    if (kh_begin >= kh_end) {  // the window row lies in the padding: no element, as the general loop
                        for (int64_t ow = 0; ow < OW; ++ow) yrow[ow] = std::numeric_limits<T>::lowest();
                        continue;
                    }
                    for (int64_t ow = 0; ow < ow_lo; ++ow) edge(ow);
                    const T* base = xp + (ih0 + kh_begin) * W;
                    for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
                        // Branch-free max (v > best ? v : best keeps the first of equal values); a NaN anywhere in
                        // the window sends it to the exact loop above, which picks the first NaN.
                        const T* r = base + (ow * SW - PW);
                        T best = r[0];
                        bool nan = false;
                        for (int64_t kh = kh_begin; kh < kh_end; ++kh, r += W) {
                            for (int64_t kw = 0; kw < KW; ++kw) {
                                const T v = r[kw];
                                best = v > best ? v : best;
                                nan = nan | (v != v);
                            }
                        }
                        if (nan) {
                            edge(ow);
                        } else {
                            yrow[ow] = best;
                        }
                    }
                    for (int64_t ow = ow_hi; ow < OW; ++ow) edge(ow);
                }
            }
        });
    }

    WindowAttrs m_window;
    int64_t m_storage_order;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(MaxPool, MaxPoolKernel)
