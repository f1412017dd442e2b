// Resize (opsets 10, 11, 13, 18) and, through it, Upsample (opsets 7 and 9, see upsample.cpp).
// Each output coordinate is mapped back to the input (coordinate_transformation_mode), where the mode's filter
// (nearest, linear or cubic, optionally antialiased) picks and weighs input elements; positions past the edges read
// the edge element (or, with exclude_outside, get no weight). The filters are separable, so the kernel resamples
// one axis at a time: for every output index along the axis, a short list of (input index, weight) taps.
// This follows the ONNX reference (onnx/reference/ops/op_resize.py): scales are what the coordinate mapping divides
// by (sizes / input dims when sizes are given), and an output dim from scales is floor(input dim * scale).
#include "ops/reduce_common.h"

#include <cstring>

namespace lite::ops {
namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Coord { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNn, TfCropAndResize };
// Simple: before opset 11 (Upsample, Resize-10): truncate, or round up when downsampling.
enum class Nearest { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Simple };
enum class AspectPolicy { Stretch, NotLarger, NotSmaller };

//! Per output index along one axis: `width` taps (input index, weight), or `extrapolate` (tf_crop_and_resize
//! positions outside the input, which get extrapolation_value).
struct AxisTaps {
    int64_t width = 1;
    std::vector<int64_t> index;
    std::vector<float> weight;
    std::vector<uint8_t> extrapolate;
    bool identity(int64_t in_size) const {
        if (static_cast<int64_t>(extrapolate.size()) != in_size) return false;
        for (int64_t j = 0; j < in_size; ++j) {
            if (extrapolate[j]) return false;
            for (int64_t t = 0; t < width; ++t) {
                float w = weight[j * width + t];
                if (w != 0.f && (index[j * width + t] != j || w != 1.f)) return false;
            }
        }
        return true;
    }
};

//! What infer and run both derive from the inputs: output dims and each axis's scale and ROI.
struct Plan {
    Shape out_shape;
    std::vector<double> scales, roi_start, roi_end;
};

class ResizeKernel final : public Kernel {
public:
    ResizeKernel(const Attributes& attributes, int opset) : m_opset(opset) {
        std::string mode = attributes.get_string("mode", "nearest");
        if (mode == "nearest") m_mode = Mode::Nearest;
        else if (mode == "linear" || (opset < 11 && mode == "bilinear")) m_mode = Mode::Linear;
        else if (mode == "cubic" && opset >= 11) m_mode = Mode::Cubic;
        else attributes.fail("mode '" + mode + "' is not supported (nearest, linear" + std::string(opset >= 11 ? ", cubic" : "") + ")");
        if (opset < 9) {  // Upsample-7: scales attribute
            m_scales_attr = attributes.get_floats("scales");
            if (m_scales_attr.empty()) attributes.fail("required attribute 'scales' is missing");
        }
        if (opset < 11) {
            m_coord = Coord::Asymmetric;
            m_nearest = Nearest::Simple;
            return;
        }
        std::string coord = attributes.get_string("coordinate_transformation_mode", "half_pixel");
        if (coord == "half_pixel") m_coord = Coord::HalfPixel;
        else if (coord == "pytorch_half_pixel") m_coord = Coord::PytorchHalfPixel;
        else if (coord == "align_corners") m_coord = Coord::AlignCorners;
        else if (coord == "asymmetric") m_coord = Coord::Asymmetric;
        else if (coord == "tf_half_pixel_for_nn" && opset < 13) m_coord = Coord::TfHalfPixelForNn;
        else if (coord == "tf_crop_and_resize") m_coord = Coord::TfCropAndResize;
        else attributes.fail("coordinate_transformation_mode '" + coord + "' is not supported at opset " + std::to_string(opset));
        std::string nearest = attributes.get_string("nearest_mode", "round_prefer_floor");
        if (nearest == "round_prefer_floor") m_nearest = Nearest::RoundPreferFloor;
        else if (nearest == "round_prefer_ceil") m_nearest = Nearest::RoundPreferCeil;
        else if (nearest == "floor") m_nearest = Nearest::Floor;
        else if (nearest == "ceil") m_nearest = Nearest::Ceil;
        else attributes.fail("nearest_mode '" + nearest + "' is not supported");
        m_cubic_a = attributes.get_float("cubic_coeff_a", -0.75f);
        m_exclude_outside = attributes.get_int("exclude_outside", 0) != 0;
        m_extrapolation = attributes.get_float("extrapolation_value", 0.f);
        if (opset >= 18) {
            m_antialias = attributes.get_int("antialias", 0) != 0;
            m_axes = attributes.get_ints("axes");
            std::string policy = attributes.get_string("keep_aspect_ratio_policy", "stretch");
            if (policy == "stretch") m_policy = AspectPolicy::Stretch;
            else if (policy == "not_larger") m_policy = AspectPolicy::NotLarger;
            else if (policy == "not_smaller") m_policy = AspectPolicy::NotSmaller;
            else attributes.fail("keep_aspect_ratio_policy '" + policy + "' is not supported");
        }
    }

    void infer(InferContext& ctx) override {
        const LiteDataType dtype = ctx.input_dtype(0);
        if (m_mode == Mode::Nearest) {
            if (dtype == LITE_HALF || dtype == LITE_BOOL) ctx.fail(std::string("input element type ") + dtype_label(dtype) + " is not supported");
        } else if (dtype != LITE_FLOAT) {
            ctx.fail(std::string("linear and cubic modes need float32 input, got ") + dtype_label(dtype));
        }
        if (m_coord == Coord::TfCropAndResize && dtype != LITE_FLOAT) ctx.fail("tf_crop_and_resize needs float32 input");
        const TensorView *scales = nullptr, *sizes = nullptr;
        if (m_opset >= 9 && m_opset < 11) {
            scales = &ctx.require_value(1);
        } else if (m_opset >= 11) {
            if (ctx.has_input(3) && numel(ctx.input_shape(3)) > 0) {
                if (ctx.input_dtype(3) != LITE_INT64) ctx.fail("sizes must be int64");
                sizes = &ctx.require_value(3);
            }
            if (ctx.has_input(2) && numel(ctx.input_shape(2)) > 0) {
                if (sizes) ctx.fail("only one of scales and sizes may be given");
                scales = &ctx.require_value(2);
            }
            if (!scales && !sizes) ctx.fail("needs scales or sizes");
        }
        Plan plan;
        std::string why = make_plan(ctx.input_shape(0), scales, sizes, nullptr, plan);
        if (!why.empty()) ctx.fail(why);
        ctx.set_output(0, dtype, plan.out_shape);
    }

    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        const TensorView *scales = nullptr, *sizes = nullptr, *roi = nullptr;
        if (m_opset >= 9 && m_opset < 11) scales = &ctx.input(1);
        if (m_opset >= 11) {
            if (ctx.has_input(3) && ctx.input(3).numel() > 0) sizes = &ctx.input(3);
            else scales = &ctx.input(2);
            if (ctx.has_input(1) && ctx.input(1).numel() > 0) roi = &ctx.input(1);
        }
        Plan plan;
        std::string why = make_plan(in.shape, scales, sizes, roi, plan);
        if (!why.empty()) throw Error(ErrorCode::InvalidArgument, "Resize: " + why);
        TensorView& out = ctx.output(0);
        if (out.numel() == 0) return;
        // The axes that change, each with its taps; others are copied through.
        std::vector<std::pair<size_t, AxisTaps>> passes;
        for (size_t d = 0; d < in.shape.size(); ++d) {
            AxisTaps taps = axis_taps(in.shape[d], plan.out_shape[d], plan.scales[d], plan.roi_start[d], plan.roi_end[d]);
            if (plan.out_shape[d] != in.shape[d] || !taps.identity(in.shape[d])) passes.emplace_back(d, std::move(taps));
        }
        if (passes.empty()) {
            if (out.data != in.data) std::memcpy(out.data, in.data, in.nbytes());
            return;
        }
        const size_t rank = in.shape.size();
        if (m_mode == Mode::Nearest && rank >= 2 && passes.size() == 2 && passes[0].first == rank - 2 && passes[1].first == rank - 1 &&
            no_extrapolation(passes[0].second) && no_extrapolation(passes[1].second)) {
            dispatch_numeric(in.dtype, [&](auto zero) {
                using T = decltype(zero);
                nearest_2d<T>(in.as<T>(), out.as<T>(), in.shape, plan.out_shape, passes[0].second, passes[1].second, ctx);
            });
            return;
        }
        dispatch_numeric(in.dtype, [&](auto zero) {
            using T = decltype(zero);
            std::vector<T> buffers[2];
            const T* src = in.as<T>();
            Shape shape = in.shape;
            for (size_t p = 0; p < passes.size(); ++p) {
                const size_t d = passes[p].first;
                const AxisSplit s = split_at_axis(shape, static_cast<int64_t>(d));
                shape[d] = plan.out_shape[d];
                T* dst = out.as<T>();
                if (p + 1 < passes.size()) {
                    buffers[p % 2].resize(static_cast<size_t>(numel(shape)));
                    dst = buffers[p % 2].data();
                }
                resample_axis<T>(src, dst, s, shape[d], passes[p].second, ctx);
                src = dst;
            }
        });
    }

private:
    std::string make_plan(const Shape& in, const TensorView* scales, const TensorView* sizes, const TensorView* roi, Plan& plan) const {
        const size_t rank = in.size();
        // The axes that scales/sizes/roi speak of (opset 18 `axes`; all otherwise).
        std::vector<size_t> axes;
        if (m_axes.empty()) {
            for (size_t d = 0; d < rank; ++d) axes.push_back(d);
        } else {
            for (int64_t a : m_axes) {
                if (a < -static_cast<int64_t>(rank) || a >= static_cast<int64_t>(rank)) return "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank);
                size_t axis = static_cast<size_t>(a < 0 ? a + static_cast<int64_t>(rank) : a);
                if (std::find(axes.begin(), axes.end(), axis) != axes.end()) return "axis " + std::to_string(a) + " is repeated";
                axes.push_back(axis);
            }
        }
        plan.out_shape = in;
        plan.scales.assign(rank, 1.0);
        plan.roi_start.assign(rank, 0.0);
        plan.roi_end.assign(rank, 1.0);
        if (sizes) {
            std::vector<int64_t> values = read_ints(*sizes);
            if (values.size() != axes.size()) return "sizes has " + std::to_string(values.size()) + " values for " + std::to_string(axes.size()) + " axes";
            for (size_t i = 0; i < axes.size(); ++i) {
                if (values[i] < 0) return "sizes must not be negative, got " + std::to_string(values[i]);
                if (in[axes[i]] == 0) return "cannot resize an empty dim to a size";
                plan.out_shape[axes[i]] = values[i];
                plan.scales[axes[i]] = static_cast<double>(values[i]) / static_cast<double>(in[axes[i]]);
            }
            if (m_policy != AspectPolicy::Stretch && !axes.empty()) {
                double scale = plan.scales[axes[0]];
                for (size_t a : axes) scale = m_policy == AspectPolicy::NotLarger ? std::min(scale, plan.scales[a]) : std::max(scale, plan.scales[a]);
                for (size_t a : axes) {
                    plan.scales[a] = scale;
                    plan.out_shape[a] = static_cast<int64_t>(std::floor(scale * static_cast<double>(in[a]) + 0.5));
                }
            }
        } else {
            std::vector<float> values = m_opset < 9 ? m_scales_attr : (scales ? read_floats(*scales) : std::vector<float>{});
            if (values.size() != axes.size()) return "scales has " + std::to_string(values.size()) + " values for " + std::to_string(axes.size()) + " axes";
            for (size_t i = 0; i < axes.size(); ++i) {
                if (!(values[i] > 0.f)) return "scales must be positive, got " + std::to_string(values[i]);
                plan.scales[axes[i]] = values[i];
                plan.out_shape[axes[i]] = static_cast<int64_t>(std::floor(static_cast<double>(values[i]) * static_cast<double>(in[axes[i]])));
            }
        }
        if (roi && m_coord == Coord::TfCropAndResize) {
            std::vector<float> values = read_floats(*roi);
            if (values.size() != 2 * axes.size()) return "roi has " + std::to_string(values.size()) + " values, expected " + std::to_string(2 * axes.size());
            for (size_t i = 0; i < axes.size(); ++i) {
                plan.roi_start[axes[i]] = values[i];
                plan.roi_end[axes[i]] = values[axes.size() + i];
            }
        }
        return "";
    }

    //! The taps of one axis resized from `in` to `out` elements.
    AxisTaps axis_taps(int64_t in, int64_t out, double scale, double roi_start, double roi_end) const {
        AxisTaps taps;
        // Filter support: the taps sit at i0 + first .. i0 + first + width - 1, i0 the element left of x.
        const double support_scale = m_antialias ? std::min(scale, 1.0) : 1.0;
        int64_t first = 0;
        if (m_mode == Mode::Nearest) {
            taps.width = 1;
        } else if (m_mode == Mode::Linear) {
            first = static_cast<int64_t>(std::floor(-1.0 / support_scale)) + 1;
            taps.width = 2 - 2 * first;
        } else {
            first = static_cast<int64_t>(std::floor(-2.0 / support_scale)) + 1;
            taps.width = 2 - 2 * first;
        }
        taps.index.assign(static_cast<size_t>(out * taps.width), 0);
        taps.weight.assign(static_cast<size_t>(out * taps.width), 0.f);
        taps.extrapolate.assign(static_cast<size_t>(out), 0);
        const double length = static_cast<double>(in), out_width = scale * length;
        std::vector<double> coeffs(static_cast<size_t>(taps.width));
        for (int64_t j = 0; j < out; ++j) {
            const double x = static_cast<double>(j);
            double x_ori = 0;
            switch (m_coord) {
                case Coord::HalfPixel: x_ori = (x + 0.5) / scale - 0.5; break;
                case Coord::PytorchHalfPixel: x_ori = out_width == 1 ? -0.5 : (x + 0.5) / scale - 0.5; break;
                case Coord::AlignCorners: x_ori = out_width == 1 ? 0.0 : x * (length - 1) / (out_width - 1); break;
                case Coord::Asymmetric: x_ori = x / scale; break;
                case Coord::TfHalfPixelForNn: x_ori = (x + 0.5) / scale; break;
                case Coord::TfCropAndResize:
                    x_ori = out_width == 1 ? (roi_end - roi_start) * (length - 1) / 2
                                           : x * (roi_end - roi_start) * (length - 1) / (out_width - 1);
                    x_ori += roi_start * (length - 1);
                    if (x_ori < 0 || x_ori > length - 1) {
                        taps.extrapolate[static_cast<size_t>(j)] = 1;
                        continue;
                    }
                    break;
            }
            int64_t* index = &taps.index[static_cast<size_t>(j * taps.width)];
            float* weight = &taps.weight[static_cast<size_t>(j * taps.width)];
            if (m_mode == Mode::Nearest) {
                index[0] = std::clamp<int64_t>(nearest_index(x_ori, scale), 0, in - 1);
                weight[0] = 1.f;
                continue;
            }
            // The reference prefers the element left of x: at an integer x, i0 = x - 1 with ratio 1.
            double floor_x = std::floor(x_ori);
            double ratio = x_ori - floor_x;
            int64_t i0 = static_cast<int64_t>(floor_x);
            if (ratio == 0) {
                i0 -= 1;
                ratio = 1;
            }
            double sum = 0;
            for (int64_t t = 0; t < taps.width; ++t) {
                const double distance = support_scale * static_cast<double>(first + t) - support_scale * ratio;
                double c = m_mode == Mode::Linear ? std::max(0.0, 1 - std::fabs(distance)) : cubic(std::fabs(distance));
                const int64_t i = i0 + first + t;
                if (m_exclude_outside && (i < 0 || i >= in)) c = 0;
                coeffs[static_cast<size_t>(t)] = c;
                sum += c;
            }
            for (int64_t t = 0; t < taps.width; ++t) {
                index[t] = std::clamp<int64_t>(i0 + first + t, 0, in - 1);
                weight[t] = static_cast<float>(sum != 0 ? coeffs[static_cast<size_t>(t)] / sum : 0.0);
            }
        }
        return taps;
    }

    int64_t nearest_index(double x_ori, double scale) const {
        const double floor_x = std::floor(x_ori);
        const double ratio = x_ori - floor_x;
        const int64_t i0 = static_cast<int64_t>(floor_x);
        switch (m_nearest) {
            case Nearest::Simple: return scale < 1 ? static_cast<int64_t>(std::ceil(x_ori)) : i0;
            case Nearest::RoundPreferFloor: return ratio <= 0.5 ? i0 : i0 + 1;
            case Nearest::RoundPreferCeil: return ratio < 0.5 ? i0 : i0 + 1;
            case Nearest::Floor: return i0;
            case Nearest::Ceil: return ratio == 0 ? i0 : i0 + 1;
        }
        return i0;
    }

    //! Keys' cubic convolution kernel with parameter a, at distance x >= 0.
    double cubic(double x) const {
        const double a = m_cubic_a;
        if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }

    static bool no_extrapolation(const AxisTaps& taps) {
        return std::find(taps.extrapolate.begin(), taps.extrapolate.end(), uint8_t{1}) == taps.extrapolate.end();
    }

    //! Nearest on the last two axes (FPN upsampling) in one pass, without the intermediate tensor of the general
    //! path: each output row gathers from its input row, or copies the row above when both read the same one.
    template <typename T>
    static void nearest_2d(const T* src, T* dst, const Shape& in_shape, const Shape& out_shape, const AxisTaps& rows,
                           const AxisTaps& cols, RunContext& ctx) {
        const size_t rank = in_shape.size();
        const int64_t h = in_shape[rank - 2], w = in_shape[rank - 1], oh = out_shape[rank - 2], ow = out_shape[rank - 1];
        const int64_t planes = h * w == 0 ? 0 : numel(in_shape) / (h * w);
        const int64_t* row_index = rows.index.data();
        const int64_t* col_index = cols.index.data();
        ctx.parallel_for(planes * oh, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                const int64_t plane = r / oh, oy = r % oh;
                T* d = dst + r * ow;
                if (r > begin && oy > 0 && row_index[oy - 1] == row_index[oy]) {
                    std::memcpy(d, d - ow, sizeof(T) * static_cast<size_t>(ow));
                    continue;
                }
                const T* line = src + (plane * h + row_index[oy]) * w;
                for (int64_t x = 0; x < ow; ++x) d[x] = line[col_index[x]];
            }
        });
    }

    //! dst[o, j, i] from src[o, taps(j), i]: s.outer x s.n x s.inner in, s.outer x out x s.inner out.
    template <typename T>
    void resample_axis(const T* src, T* dst, const AxisSplit& s, int64_t out, const AxisTaps& taps, RunContext& ctx) const {
        const int64_t in = s.n, inner = s.inner, width = taps.width;
        const bool nearest = m_mode == Mode::Nearest;
        const T extrapolation = static_cast<T>(m_extrapolation);
        if (inner == 1) {
            // The innermost axis: whole output rows per step, no per-element division.
            ctx.parallel_for(s.outer, [&](int64_t begin, int64_t end) {
                for (int64_t o = begin; o < end; ++o) {
                    const T* base = src + o * in;
                    T* d = dst + o * out;
                    for (int64_t j = 0; j < out; ++j) {
                        const size_t jj = static_cast<size_t>(j);
                        if (taps.extrapolate[jj]) {
                            d[j] = extrapolation;
                        } else if (nearest) {
                            d[j] = base[taps.index[jj]];
                        } else if constexpr (std::is_same_v<T, float>) {
                            const int64_t* index = &taps.index[jj * static_cast<size_t>(width)];
                            const float* weight = &taps.weight[jj * static_cast<size_t>(width)];
                            float sum = 0.f;
                            for (int64_t t = 0; t < width; ++t) {
                                if (weight[t] != 0.f) sum += weight[t] * base[index[t]];  // as below: 0 * inf stays out
                            }
                            d[j] = sum;
                        }
                    }
                }
            });
            return;
        }
        ctx.parallel_for(s.outer * out, [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row) {
                const int64_t o = row / out, j = row % out;
                T* d = dst + row * inner;
                const T* base = src + o * in * inner;
                if (taps.extrapolate[static_cast<size_t>(j)]) {
                    std::fill(d, d + inner, extrapolation);
                } else if (nearest) {
                    std::copy(base + taps.index[static_cast<size_t>(j)] * inner, base + (taps.index[static_cast<size_t>(j)] + 1) * inner, d);
                } else if constexpr (std::is_same_v<T, float>) {
                    const int64_t* index = &taps.index[static_cast<size_t>(j * width)];
                    const float* weight = &taps.weight[static_cast<size_t>(j * width)];
                    std::fill(d, d + inner, 0.f);
                    for (int64_t t = 0; t < width; ++t) {
                        if (weight[t] == 0.f) continue;
                        const float w = weight[t];
                        const float* x = base + index[t] * inner;
                        for (int64_t i = 0; i < inner; ++i) d[i] += w * x[i];
                    }
                }
            }
        });
    }

    int m_opset;
    Mode m_mode = Mode::Nearest;
    Coord m_coord = Coord::HalfPixel;
    Nearest m_nearest = Nearest::RoundPreferFloor;
    AspectPolicy m_policy = AspectPolicy::Stretch;
    float m_cubic_a = -0.75f, m_extrapolation = 0.f;
    bool m_exclude_outside = false, m_antialias = false;
    std::vector<int64_t> m_axes;
    std::vector<float> m_scales_attr;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Resize, ResizeKernel)
