// Window geometry shared by Conv, ConvTranspose and the pools: parsing auto_pad/kernel_shape/strides/dilations/
// pads/ceil_mode once, and computing output sizes and effective leading pads for given input sizes. Geometry is
// padded to 3 spatial dims (leading dims of size 1) so that kernels need one loop nest for 1-D, 2-D and 3-D.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "ops/op.h"

namespace lite::ops {

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

//! The window attributes as written in the node; empty vectors mean "not given".
struct WindowAttrs {
    AutoPad auto_pad = AutoPad::NotSet;
    std::vector<int64_t> kernel_shape, strides, dilations, pads;
    bool ceil_mode = false;

    explicit WindowAttrs(const Attributes& a) {
        std::string pad = a.get_string("auto_pad", "NOTSET");
        if (pad == "NOTSET" || pad.empty()) auto_pad = AutoPad::NotSet;
        else if (pad == "SAME_UPPER") auto_pad = AutoPad::SameUpper;
        else if (pad == "SAME_LOWER") auto_pad = AutoPad::SameLower;
        else if (pad == "VALID") auto_pad = AutoPad::Valid;
        else a.fail("unknown auto_pad '" + pad + "'");
        kernel_shape = a.get_ints("kernel_shape");
        strides = a.get_ints("strides");
        dilations = a.get_ints("dilations");
        pads = a.get_ints("pads");
        ceil_mode = a.get_int("ceil_mode", 0) != 0;
        for (int64_t v : kernel_shape) if (v <= 0) a.fail("kernel_shape values must be positive");
        for (int64_t v : strides) if (v <= 0) a.fail("strides must be positive");
        for (int64_t v : dilations) if (v <= 0) a.fail("dilations must be positive");
        for (int64_t v : pads) if (v < 0) a.fail("pads must not be negative");
    }

    //! Checks the per-axis attribute lengths against the spatial rank; returns "" or why not.
    std::string check_rank(size_t rank) const {
        auto bad = [&](const std::vector<int64_t>& v, size_t want) { return !v.empty() && v.size() != want; };
        if (bad(kernel_shape, rank)) return "kernel_shape has " + std::to_string(kernel_shape.size()) + " values for " + std::to_string(rank) + " spatial dims";
        if (bad(strides, rank)) return "strides has " + std::to_string(strides.size()) + " values for " + std::to_string(rank) + " spatial dims";
        if (bad(dilations, rank)) return "dilations has " + std::to_string(dilations.size()) + " values for " + std::to_string(rank) + " spatial dims";
        if (bad(pads, 2 * rank)) return "pads has " + std::to_string(pads.size()) + " values, expected " + std::to_string(2 * rank);
        if (rank < 1 || rank > 3) return "only 1 to 3 spatial dims are supported, got " + std::to_string(rank);
        return "";
    }
    int64_t stride(size_t i) const { return strides.empty() ? 1 : strides[i]; }
    int64_t dilation(size_t i) const { return dilations.empty() ? 1 : dilations[i]; }
    int64_t pad_begin(size_t i) const { return pads.empty() ? 0 : pads[i]; }
    int64_t pad_end(size_t i, size_t rank) const { return pads.empty() ? 0 : pads[rank + i]; }
};

//! Resolved geometry over 3 spatial dims (a 1-D or 2-D op has leading dims of size 1).
struct Window3 {
    int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
    int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, pad_begin[3] = {0, 0, 0}, pad_end[3] = {0, 0, 0};
    int64_t in_size() const { return in[0] * in[1] * in[2]; }
    int64_t out_size() const { return out[0] * out[1] * out[2]; }
    int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};

//! Conv and pools: output sizes and pads for spatial input dims `in` and kernel dims `kernel`. Returns "" or
//! why the geometry is invalid (e.g. an empty output).
//! Why a fused residual input of shape `residual` cannot be added to a Conv output of shape `out` ("" if it can):
//! the same shape, except that it may have fewer channels (axis 1).
inline std::string residual_geometry(const Shape& residual, const Shape& out) {
    bool ok = residual.size() == out.size() && out.size() >= 2 && residual[1] <= out[1];
    for (size_t i = 0; ok && i < out.size(); ++i) ok = i == 1 || residual[i] == out[i];
    return ok ? "" : "the fused residual " + shape_str(residual) + " does not fit the output " + shape_str(out);
}

inline std::string forward_window(const WindowAttrs& a, const Shape& in, const std::vector<int64_t>& kernel, Window3& w) {
    const size_t rank = in.size();
    std::string why = a.check_rank(rank);
    if (!why.empty()) return why;
    if (kernel.size() != rank) return "kernel has " + std::to_string(kernel.size()) + " dims for " + std::to_string(rank) + " spatial dims";
    const size_t off = 3 - rank;
    for (size_t i = 0; i < rank; ++i) {
        const int64_t s = a.stride(i), d = a.dilation(i), k = kernel[i];
        const int64_t ek = (k - 1) * d + 1;  // effective (dilated) kernel extent
        int64_t pb = 0, pe = 0, out = 0;
        switch (a.auto_pad) {
            case AutoPad::NotSet: {
                pb = a.pad_begin(i);
                pe = a.pad_end(i, rank);
                const int64_t span = in[i] + pb + pe - ek;
                if (span < 0) break;
                out = (a.ceil_mode ? (span + s - 1) / s : span / s) + 1;
                // With ceil_mode, the last window must start inside the input or its leading pad.
                if (a.ceil_mode && (out - 1) * s >= in[i] + pb) --out;
                break;
            }
            case AutoPad::Valid:
                out = in[i] >= ek ? (in[i] - ek) / s + 1 : 0;
                break;
            case AutoPad::SameUpper:
            case AutoPad::SameLower: {
                out = (in[i] + s - 1) / s;
                const int64_t total = std::max<int64_t>(0, (out - 1) * s + ek - in[i]);
                pb = a.auto_pad == AutoPad::SameUpper ? total / 2 : total - total / 2;
                pe = total - pb;
                break;
            }
        }
        if (out <= 0) {
            return "spatial dim " + std::to_string(i) + " of size " + std::to_string(in[i]) + " (padded by " + std::to_string(pb) +
                   "+" + std::to_string(pe) + ") is smaller than the window extent " + std::to_string(ek);
        }
        w.in[off + i] = in[i];
        w.out[off + i] = out;
        w.kernel[off + i] = k;
        w.stride[off + i] = s;
        w.dilation[off + i] = d;
        w.pad_begin[off + i] = pb;
        w.pad_end[off + i] = pe;
    }
    return "";
}

}  // namespace lite::ops
