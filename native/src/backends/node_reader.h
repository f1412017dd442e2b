// Reading a node's description (backend.h's NodeDesc) while mapping it onto a device's kernels: which inputs are
// present and float32, which constants the kernel uploads at load, the shapes, and the geometry of the ops whose
// attributes take the most reading (Conv, pooling, Resize) in a form no backend owns. The OpenCL and CUDA node
// mappers derive from it; a mapper returns "not covered" (the node runs on the CPU) whenever a check fails.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/resize_modes.h"
#include "ops/conv_common.h"

namespace lite::backend {

//! The 2-D window of a Conv or pooling node over NCHW (a 1-D one over NCW has H = 1).
struct Window2d {
    int64_t n = 1, c = 1, h = 1, w = 1, oh = 1, ow = 1, kh = 1, kw = 1;
    int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

//! A Conv node: its window, output maps, group, and the channels of a fused residual (0 without one).
struct ConvSpec {
    Window2d window;
    int64_t maps = 1, group = 1, residual_maps = 0;
};

//! A Resize over the last two axes of (outer..., H, W), as ops' Resize computes it.
struct ResizeSpec {
    ResizeMode mode = ResizeMode::Nearest;
    ResizeCoord coord = ResizeCoord::HalfPixel;
    ResizeNearest nearest = ResizeNearest::RoundPreferFloor;
    bool exclude_outside = false;
    std::vector<int64_t> outer;  //!< the leading axes, which the kernels must leave as they are
    int64_t planes = 1, h = 1, w = 1, oh = 1, ow = 1;
    double scale_h = 1, scale_w = 1;  //!< as the op resolves them: the scales input, or output / input sizes
};

class NodeReader {
public:
    explicit NodeReader(const NodeDesc& node) : n(node), a(*node.attributes), upload(node.inputs.size(), false) {}

    const NodeDesc& n;
    const ops::Attributes& a;
    std::vector<bool> upload;  //!< per input: a constant the kernel reads, uploaded at load

protected:
    const ops::Shape& in_shape(size_t i) const { return n.inputs[i].shape; }
    const ops::Shape& out_shape() const { return n.outputs[0].shape; }
    bool has(size_t i) const { return i < n.inputs.size() && n.inputs[i].present; }
    //! The inputs the kernel reads as float tensors: each must be float32 (uploaded when constant).
    bool data_inputs(std::initializer_list<size_t> indices) {
        for (size_t i : indices) {
            if (!has(i)) continue;
            if (n.inputs[i].dtype != LITE_FLOAT) return false;
            upload[i] = n.inputs[i].constant != nullptr;
        }
        return true;
    }
    //! Only the first `count` inputs may be present (an op version with inputs the kernels do not know stays on
    //! the CPU).
    bool only_inputs(size_t count) const {
        for (size_t i = count; i < n.inputs.size(); ++i) {
            if (n.inputs[i].present) return false;
        }
        return true;
    }

    //! The window of input 0 (NCW or NCHW) with this kernel size, as the op resolves pads and auto_pad.
    bool window_2d(const std::vector<int64_t>& kernel, Window2d& g) const {
        const ops::Shape& x = in_shape(0);
        ops::Window3 w;
        if (!ops::forward_window(ops::WindowAttrs(a), ops::Shape(x.begin() + 2, x.end()), kernel, w).empty()) return false;
        g.n = x[0], g.c = x[1], g.h = w.in[1], g.w = w.in[2], g.oh = w.out[1], g.ow = w.out[2];
        g.kh = w.kernel[1], g.kw = w.kernel[2], g.stride_h = w.stride[1], g.stride_w = w.stride[2];
        g.dilation_h = w.dilation[1], g.dilation_w = w.dilation[2];
        g.pad_top = w.pad_begin[1], g.pad_left = w.pad_begin[2], g.pad_bottom = w.pad_end[1], g.pad_right = w.pad_end[2];
        return true;
    }

    //! A 1-D/2-D Conv with float inputs (X, W, optional bias, and the residual the passes fused as input 3).
    bool read_conv(ConvSpec& s) {
        if (!has(0) || !has(1) || !data_inputs({0, 1, 2, 3})) return false;
        const ops::Shape& x = in_shape(0);
        const ops::Shape& w = in_shape(1);
        if ((x.size() != 3 && x.size() != 4) || w.size() != x.size()) return false;
        if (!window_2d(std::vector<int64_t>(w.begin() + 2, w.end()), s.window)) return false;
        s.maps = w[0];
        s.group = a.get_int("group", 1);
        const Window2d& g = s.window;
        if (s.group <= 0 || g.c % s.group != 0 || s.maps % s.group != 0 || w[1] != g.c / s.group) return false;
        if (ops::numel(out_shape()) != g.n * s.maps * g.oh * g.ow) return false;
        s.residual_maps = 0;
        if (n.residual) {
            if (!has(3)) return false;
            const ops::Shape& r = in_shape(3);
            if (!ops::residual_geometry(r, out_shape()).empty()) return false;
            s.residual_maps = r[1];
        } else if (!only_inputs(3)) {
            return false;
        }
        return true;
    }

    //! A 2-D ConvTranspose with explicit pads (no auto_pad, no output_shape): its window in ConvSpec terms, the
    //! output size from strides, dilations, pads and output_padding.
    bool read_conv_transpose(ConvSpec& s) {
        if (!has(0) || !has(1) || !data_inputs({0, 1, 2}) || !only_inputs(3)) return false;
        const ops::Shape& x = in_shape(0);
        const ops::Shape& w = in_shape(1);
        if (x.size() != 4 || w.size() != 4 || out_shape().size() != 4) return false;
        const std::string auto_pad = a.get_string("auto_pad", "NOTSET");
        if ((auto_pad != "NOTSET" && !auto_pad.empty()) || a.has("output_shape")) return false;
        const auto strides = a.get_ints("strides", {1, 1}), dilations = a.get_ints("dilations", {1, 1});
        const auto pads = a.get_ints("pads", {0, 0, 0, 0}), out_pad = a.get_ints("output_padding", {0, 0});
        if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4 || out_pad.size() != 2) return false;
        Window2d& g = s.window;
        s.group = a.get_int("group", 1);
        g.n = x[0], g.c = x[1], g.h = x[2], g.w = x[3];
        if (s.group <= 0 || g.c % s.group != 0 || w[0] != g.c) return false;
        s.maps = w[1] * s.group, g.kh = w[2], g.kw = w[3];
        g.stride_h = strides[0], g.stride_w = strides[1], g.dilation_h = dilations[0], g.dilation_w = dilations[1];
        g.pad_top = pads[0], g.pad_left = pads[1], g.pad_bottom = pads[2], g.pad_right = pads[3];
        g.oh = g.stride_h * (g.h - 1) + out_pad[0] + (g.kh - 1) * g.dilation_h + 1 - pads[0] - pads[2];
        g.ow = g.stride_w * (g.w - 1) + out_pad[1] + (g.kw - 1) * g.dilation_w + 1 - pads[1] - pads[3];
        s.residual_maps = 0;
        return out_shape() == ops::Shape{g.n, s.maps, g.oh, g.ow};
    }

    //! A 1-D/2-D MaxPool or AveragePool on a float input (MaxPool without its indices output's storage order).
    bool read_pool(Window2d& g) {
        if (!has(0) || !data_inputs({0})) return false;
        const ops::Shape& x = in_shape(0);
        if (x.size() != 3 && x.size() != 4) return false;
        const ops::WindowAttrs window(a);
        if (window.kernel_shape.size() != x.size() - 2) return false;
        if (n.op_type == "MaxPool" && a.get_int("storage_order", 0) != 0) return false;
        if (!window_2d(window.kernel_shape, g)) return false;
        return ops::numel(out_shape()) == g.n * g.c * g.oh * g.ow;
    }

    //! A Resize (opset 10+) of a float input over its last two axes, nearest or linear, without antialias or axes;
    //! the leading axes keep their sizes and scale 1.
    bool read_resize(ResizeSpec& r) {
        if (!has(0) || !data_inputs({0}) || n.opset < 10) return false;
        const ops::Shape& x = in_shape(0);
        const ops::Shape& y = out_shape();
        if (x.size() < 2 || y.size() != x.size()) return false;
        const std::string mode = a.get_string("mode", "nearest");
        if (mode == "nearest") r.mode = ResizeMode::Nearest;
        else if (mode == "linear") r.mode = ResizeMode::Linear;
        else return false;
        if (n.opset < 11) {
            r.coord = ResizeCoord::Asymmetric, r.nearest = ResizeNearest::Simple;
        } else {
            const std::string coord = a.get_string("coordinate_transformation_mode", "half_pixel");
            if (coord == "half_pixel") r.coord = ResizeCoord::HalfPixel;
            else if (coord == "pytorch_half_pixel") r.coord = ResizeCoord::PytorchHalfPixel;
            else if (coord == "align_corners") r.coord = ResizeCoord::AlignCorners;
            else if (coord == "asymmetric") r.coord = ResizeCoord::Asymmetric;
            else if (coord == "tf_half_pixel_for_nn" && n.opset < 13) r.coord = ResizeCoord::TfHalfPixelForNn;
            else return false;
            const std::string nearest = a.get_string("nearest_mode", "round_prefer_floor");
            if (nearest == "round_prefer_floor") r.nearest = ResizeNearest::RoundPreferFloor;
            else if (nearest == "round_prefer_ceil") r.nearest = ResizeNearest::RoundPreferCeil;
            else if (nearest == "floor") r.nearest = ResizeNearest::Floor;
            else if (nearest == "ceil") r.nearest = ResizeNearest::Ceil;
            else return false;
            if (a.get_int("antialias", 0) != 0 || a.has("axes")) return false;
            if (a.get_string("keep_aspect_ratio_policy", "stretch") != "stretch") return false;
            r.exclude_outside = a.get_int("exclude_outside", 0) != 0;
        }
        // Scales as the op resolves them: the scales input, else output / input sizes.
        const size_t rank = x.size();
        std::vector<double> scales(rank, 1.0);
        const size_t scales_input = n.opset < 11 ? 1 : 2;
        if (n.opset >= 11 && has(3) && ops::numel(in_shape(3)) > 0) {
            if (!n.inputs[3].constant) return false;
            for (size_t d = 0; d < rank; ++d) scales[d] = double(y[d]) / double(x[d]);
        } else {
            if (!has(scales_input) || !n.inputs[scales_input].constant) return false;
            const std::vector<float> values = ops::read_floats(*n.inputs[scales_input].constant);
            if (values.size() != rank) return false;
            for (size_t d = 0; d < rank; ++d) scales[d] = values[d];
        }
        r.outer.assign(x.begin(), x.end() - 2);
        for (size_t d = 0; d + 2 < rank; ++d) {
            if (y[d] != x[d] || scales[d] != 1.0) return false;
        }
        r.planes = ops::numel(r.outer);
        r.h = x[rank - 2], r.w = x[rank - 1], r.oh = y[rank - 2], r.ow = y[rank - 1];
        r.scale_h = scales[rank - 2], r.scale_w = scales[rank - 1];
        return true;
    }
};

}  // namespace lite::backend
