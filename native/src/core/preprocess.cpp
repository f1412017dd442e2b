// preprocess_image: one pass from a camera frame to a network input. Per destination row, the (at most two)
// source rows it needs are colour-converted and resized horizontally into small row buffers; the vertical blend,
// normalisation and dtype conversion then write the row straight into the tensor. The format, channel order,
// resize mode and dtype are dispatched once per call (function pointers to specialised row passes).
#include "lite/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "lite/error.h"
#include "ops/op.h"  // float_to_half

namespace lite {
namespace {

const char* pixel_name(PixelFormat format) {
    switch (format) {
        case PixelFormat::RGB24: return "rgb24";
        case PixelFormat::BGR24: return "bgr24";
        case PixelFormat::GRAY8: return "gray8";
        case PixelFormat::YUYV422: return "yuyv422";
        case PixelFormat::NV12: return "nv12";
    }
    return "unknown";
}

uint64_t frame_bytes_u64(const ImageSpec& spec) {
    const uint64_t w = spec.width, h = spec.height;
    switch (spec.format) {
        case PixelFormat::RGB24:
        case PixelFormat::BGR24: return w * h * 3;
        case PixelFormat::GRAY8: return w * h;
        case PixelFormat::YUYV422: return w * h * 2;
        case PixelFormat::NV12: return w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
    }
    return 0;
}

// ---- colour conversion: integer, exact, 0..255 ------------------------------------------------------------

inline int clamp255(int v) { return v < 0 ? 0 : (v > 255 ? 255 : v); }
// (x + 128) >> 8 of a BT.601 term, clamped; shifting only non-negative values keeps it well defined.
inline int descale(int v) { return v < 0 ? 0 : clamp255(v >> 8); }

inline void yuv_to_rgb(int y, int u, int v, int& r, int& g, int& b) {
    const int c = 298 * (y - 16) + 128, d = u - 128, e = v - 128;
    r = descale(c + 409 * e);
    g = descale(c - 100 * d - 208 * e);
    b = descale(c + 516 * d);
}
inline int yuv_to_gray(int y) { return descale(298 * (y - 16) + 128); }
inline int rgb_to_gray(int r, int g, int b) { return (4899 * r + 9617 * g + 1868 * b + 8192) >> 14; }

// One source row: the packed row, or for NV12 the Y row (a) and its UV row (b).
struct Row {
    const uint8_t* a;
    const uint8_t* b;
};

// Each source format: where row y is, and the pixel at column x as R, G, B and as gray.
struct Rgb24 {
    static Row row(const uint8_t* f, size_t w, size_t, size_t y) { return {f + y * w * 3, nullptr}; }
    static void rgb(const Row& r, size_t x, int& R, int& G, int& B) {
        const uint8_t* p = r.a + 3 * x;
        R = p[0], G = p[1], B = p[2];
    }
    static int gray(const Row& r, size_t x) {
        const uint8_t* p = r.a + 3 * x;
        return rgb_to_gray(p[0], p[1], p[2]);
    }
};
struct Bgr24 {
    static Row row(const uint8_t* f, size_t w, size_t, size_t y) { return {f + y * w * 3, nullptr}; }
    static void rgb(const Row& r, size_t x, int& R, int& G, int& B) {
        const uint8_t* p = r.a + 3 * x;
        B = p[0], G = p[1], R = p[2];
    }
    static int gray(const Row& r, size_t x) {
        const uint8_t* p = r.a + 3 * x;
        return rgb_to_gray(p[2], p[1], p[0]);
    }
};
struct Gray8 {
    static Row row(const uint8_t* f, size_t w, size_t, size_t y) { return {f + y * w, nullptr}; }
    static void rgb(const Row& r, size_t x, int& R, int& G, int& B) { R = G = B = r.a[x]; }
    static int gray(const Row& r, size_t x) { return r.a[x]; }
};
struct Yuyv422 {
    static Row row(const uint8_t* f, size_t w, size_t, size_t y) { return {f + y * w * 2, nullptr}; }
    static void rgb(const Row& r, size_t x, int& R, int& G, int& B) {
        const uint8_t* pair = r.a + 4 * (x >> 1);  // Y0 U Y1 V
        yuv_to_rgb(r.a[2 * x], pair[1], pair[3], R, G, B);
    }
    static int gray(const Row& r, size_t x) { return yuv_to_gray(r.a[2 * x]); }
};
struct Nv12 {
    static Row row(const uint8_t* f, size_t w, size_t h, size_t y) { return {f + y * w, f + w * h + (y >> 1) * w}; }
    static void rgb(const Row& r, size_t x, int& R, int& G, int& B) {
        const uint8_t* uv = r.b + (x & ~size_t(1));
        yuv_to_rgb(r.a[x], uv[0], uv[1], R, G, B);
    }
    static int gray(const Row& r, size_t x) { return yuv_to_gray(r.a[x]); }
};

// The pixel at x in the model's channel order.
template <class Src, ChannelOrder O>
inline void fetch(const Row& r, size_t x, float* out) {
    if constexpr (O == ChannelOrder::GRAY) {
        out[0] = static_cast<float>(Src::gray(r, x));
    } else {
        int R, G, B;
        Src::rgb(r, x, R, G, B);
        out[0] = static_cast<float>(O == ChannelOrder::RGB ? R : B);
        out[1] = static_cast<float>(G);
        out[2] = static_cast<float>(O == ChannelOrder::RGB ? B : R);
    }
}

// ---- resize tables -----------------------------------------------------------------------------------------

// Per destination index: the source indices i0, i1 and the weight w of i1 (nearest: i1 = i0, w = 0).
struct AxisTable {
    std::vector<int32_t> i0, i1;
    std::vector<float> w;
};

void build_axis(size_t src, size_t dst, ResizeMode mode, AxisTable& t) {
    t.i0.resize(dst), t.i1.resize(dst), t.w.resize(dst);
    const double scale = static_cast<double>(src) / static_cast<double>(dst);
    for (size_t d = 0; d < dst; ++d) {
        if (mode == ResizeMode::NEAREST) {
            // The source pixel under the destination pixel's centre, floor((d + 0.5) * src / dst), in integers.
            size_t s = std::min((2 * d + 1) * src / (2 * dst), src - 1);
            t.i0[d] = t.i1[d] = static_cast<int32_t>(s);
            t.w[d] = 0.f;
            continue;
        }
        double s = (static_cast<double>(d) + 0.5) * scale - 0.5;  // half-pixel centres, as cv2.INTER_LINEAR
        if (s < 0) s = 0;
        auto s0 = static_cast<size_t>(s);
        double w = s - static_cast<double>(s0);
        if (s0 >= src - 1) s0 = src - 1, w = 0;
        t.i0[d] = static_cast<int32_t>(s0);
        t.i1[d] = static_cast<int32_t>(std::min(s0 + 1, src - 1));
        t.w[d] = static_cast<float>(w);
    }
}

// The tables and row buffers of the last (source size, destination size, mode) used on this thread: a pipeline
// preprocesses frames of one size again and again, so nothing is computed or allocated per frame.
struct Plan {
    size_t src_w = 0, src_h = 0, dst_w = 0, dst_h = 0, channels = 0;
    ResizeMode mode = ResizeMode::BILINEAR;
    AxisTable x, y;
    std::vector<float> rows[2];
};

Plan& plan_for(const ImageSpec& src, size_t dst_w, size_t dst_h, size_t channels, ResizeMode mode) {
    thread_local Plan plan;
    if (plan.src_w != src.width || plan.dst_w != dst_w || plan.mode != mode) {
        build_axis(src.width, dst_w, mode, plan.x);
    }
    if (plan.src_h != src.height || plan.dst_h != dst_h || plan.mode != mode) {
        build_axis(src.height, dst_h, mode, plan.y);
    }
    plan.src_w = src.width, plan.src_h = src.height, plan.dst_w = dst_w, plan.dst_h = dst_h, plan.mode = mode;
    plan.channels = channels;
    for (auto& row : plan.rows) row.resize(dst_w * channels);
    return plan;
}

// ---- row passes --------------------------------------------------------------------------------------------

// Source row y, colour-converted and resized to the destination width: out[x * C + c].
using HorizontalPass = void (*)(const uint8_t* frame, const ImageSpec& src, size_t y, const AxisTable& tx,
                                float* out);

template <class Src, ChannelOrder O, bool Bilinear>
void horizontal(const uint8_t* frame, const ImageSpec& src, size_t y, const AxisTable& tx, float* out) {
    constexpr size_t C = O == ChannelOrder::GRAY ? 1 : 3;
    const Row row = Src::row(frame, src.width, src.height, y);
    const size_t n = tx.i0.size();
    for (size_t x = 0; x < n; ++x, out += C) {
        fetch<Src, O>(row, static_cast<size_t>(tx.i0[x]), out);
        if constexpr (Bilinear) {
            float right[C];
            fetch<Src, O>(row, static_cast<size_t>(tx.i1[x]), right);
            const float w = tx.w[x];
            for (size_t c = 0; c < C; ++c) out[c] += (right[c] - out[c]) * w;
        }
    }
}

template <class Src, ChannelOrder O>
HorizontalPass pick_horizontal(bool bilinear) {
    return bilinear ? horizontal<Src, O, true> : horizontal<Src, O, false>;
}

template <class Src>
HorizontalPass pick_horizontal(ChannelOrder order, bool bilinear) {
    switch (order) {
        case ChannelOrder::RGB: return pick_horizontal<Src, ChannelOrder::RGB>(bilinear);
        case ChannelOrder::BGR: return pick_horizontal<Src, ChannelOrder::BGR>(bilinear);
        case ChannelOrder::GRAY: return pick_horizontal<Src, ChannelOrder::GRAY>(bilinear);
    }
    return nullptr;
}

HorizontalPass pick_horizontal(PixelFormat format, ChannelOrder order, bool bilinear) {
    switch (format) {
        case PixelFormat::RGB24: return pick_horizontal<Rgb24>(order, bilinear);
        case PixelFormat::BGR24: return pick_horizontal<Bgr24>(order, bilinear);
        case PixelFormat::GRAY8: return pick_horizontal<Gray8>(order, bilinear);
        case PixelFormat::YUYV422: return pick_horizontal<Yuyv422>(order, bilinear);
        case PixelFormat::NV12: return pick_horizontal<Nv12>(order, bilinear);
    }
    return nullptr;
}

inline void store(float* p, float v) { *p = v; }
inline void store(uint16_t* p, float v) { *p = ops::float_to_half(v); }
inline void store(uint8_t* p, float v) {
    v = v < 0.f ? 0.f : (v > 255.f ? 255.f : v);
    *p = static_cast<uint8_t>(std::lrint(v));  // round half to even
}

// Where one destination row goes: element (x, c) at base + c * channel_stride + x * x_stride.
struct RowOut {
    void* base;
    ptrdiff_t channel_stride, x_stride;
};

// Blends two resized rows by wy, normalises and stores: (top + (bottom - top) * wy - mean[c]) * scale[c].
using VerticalPass = void (*)(const float* top, const float* bottom, float wy, size_t width, size_t channels,
                              const float* mean, const float* scale, const RowOut& out);

template <typename T, bool Bilinear>
void vertical(const float* top, const float* bottom, float wy, size_t width, size_t channels, const float* mean,
              const float* scale, const RowOut& out) {
    for (size_t c = 0; c < channels; ++c) {
        T* dst = static_cast<T*>(out.base) + static_cast<ptrdiff_t>(c) * out.channel_stride;
        const float m = mean[c], s = scale[c];
        for (size_t x = 0; x < width; ++x, dst += out.x_stride) {
            float v = top[x * channels + c];
            if constexpr (Bilinear) v += (bottom[x * channels + c] - v) * wy;
            store(dst, (v - m) * s);
        }
    }
}

VerticalPass pick_vertical(LiteDataType dtype, bool bilinear) {
    switch (dtype) {
        case LITE_FLOAT: return bilinear ? vertical<float, true> : vertical<float, false>;
        case LITE_HALF: return bilinear ? vertical<uint16_t, true> : vertical<uint16_t, false>;
        case LITE_UINT8: return bilinear ? vertical<uint8_t, true> : vertical<uint8_t, false>;
        default: return nullptr;
    }
}

// ---- validation --------------------------------------------------------------------------------------------

[[noreturn]] void fail(ErrorCode code, const std::string& message) { throw Error(code, "preprocess_image: " + message); }

void check_source(const uint8_t* frame, size_t frame_bytes, const ImageSpec& src) {
    switch (src.format) {
        case PixelFormat::RGB24:
        case PixelFormat::BGR24:
        case PixelFormat::GRAY8:
        case PixelFormat::YUYV422:
        case PixelFormat::NV12: break;
        default: fail(ErrorCode::InvalidArgument, "unknown pixel format " + std::to_string(static_cast<int>(src.format)));
    }
    const std::string what = std::string("a ") + pixel_name(src.format) + " frame of " + std::to_string(src.width) +
                             "x" + std::to_string(src.height);
    if (src.width == 0 || src.height == 0 || src.width > kMaxImageSide || src.height > kMaxImageSide) {
        fail(ErrorCode::InvalidArgument, what + ": width and height must be 1.." + std::to_string(kMaxImageSide));
    }
    if ((src.format == PixelFormat::YUYV422 || src.format == PixelFormat::NV12) && src.width % 2 != 0) {
        fail(ErrorCode::InvalidArgument, what + ": " + pixel_name(src.format) +
                                                 " shares chroma between pixel pairs, so the width must be even");
    }
    const uint64_t needed = frame_bytes_u64(src);
    if (frame_bytes < needed) {
        fail(ErrorCode::ShapeMismatch, what + " needs " + std::to_string(needed) + " bytes, the frame has " +
                                               std::to_string(frame_bytes) + ": check the width, height and pixel format");
    }
    if (!frame) fail(ErrorCode::InvalidArgument, "the frame is a null pointer");
}

struct DstGeometry {
    size_t channels, height, width;
};

DstGeometry check_dst(const Tensor& dst, const PreprocessOptions& options) {
    switch (options.order) {
        case ChannelOrder::RGB:
        case ChannelOrder::BGR:
        case ChannelOrder::GRAY: break;
        default: fail(ErrorCode::InvalidArgument, "unknown channel order " + std::to_string(static_cast<int>(options.order)));
    }
    if (options.layout != ImageLayout::NCHW && options.layout != ImageLayout::NHWC) {
        fail(ErrorCode::InvalidArgument, "unknown layout " + std::to_string(static_cast<int>(options.layout)));
    }
    if (options.resize != ResizeMode::NEAREST && options.resize != ResizeMode::BILINEAR) {
        fail(ErrorCode::InvalidArgument, "unknown resize mode " + std::to_string(static_cast<int>(options.resize)));
    }
    const size_t channels = options.order == ChannelOrder::GRAY ? 1 : 3;
    const char* order = options.order == ChannelOrder::RGB ? "RGB" : options.order == ChannelOrder::BGR ? "BGR" : "GRAY";
    const bool nchw = options.layout == ImageLayout::NCHW;
    const std::string expected = std::string(nchw ? "[1, " + std::to_string(channels) + ", H, W] (NCHW)"
                                                  : "[1, H, W, " + std::to_string(channels) + "] (NHWC)");
    for (size_t c = 0; c < channels; ++c) {
        if (!std::isfinite(options.mean[c]) || !std::isfinite(options.scale[c])) {
            fail(ErrorCode::InvalidArgument, "mean[" + std::to_string(c) + "] and scale[" + std::to_string(c) +
                                                     "] must be finite numbers");
        }
    }
    const Layout layout = dst.get_layout();
    if (layout.ndim != 4 || layout.shapes[0] != 1 || layout.shapes[nchw ? 1 : 3] != channels) {
        fail(ErrorCode::ShapeMismatch, "the input tensor is " + layout.to_string() + ", channel order " + order +
                                               " needs " + expected + ": check the layout and channel order options");
    }
    DstGeometry g{channels, layout.shapes[nchw ? 2 : 1], layout.shapes[nchw ? 3 : 2]};
    if (g.height == 0 || g.width == 0 || g.height > kMaxImageSide || g.width > kMaxImageSide) {
        fail(ErrorCode::ShapeMismatch, "the input tensor " + layout.to_string() + " must have H and W in 1.." +
                                               std::to_string(kMaxImageSide));
    }
    if (!pick_vertical(layout.data_type, true)) {
        fail(ErrorCode::DtypeMismatch, std::string("the input tensor is ") + dtype_name(layout.data_type) +
                                               ", preprocessing writes float32, float16 or uint8");
    }
    if (!dst.is_continue_memory()) {
        fail(ErrorCode::NotContiguous, "the input tensor is a strided view: pass a contiguous tensor");
    }
    if (!dst.is_host_accessible()) {
        fail(ErrorCode::NotSupported, std::string("the input tensor's memory (") + device_name(dst.get_device_type()) +
                                              ") is not host memory: preprocess into a CPU tensor and copy_from it");
    }
    return g;
}

}  // namespace

size_t image_frame_bytes(const ImageSpec& spec) { return static_cast<size_t>(frame_bytes_u64(spec)); }

void preprocess_image(const uint8_t* frame, size_t frame_bytes, const ImageSpec& source, Tensor& dst,
                      const PreprocessOptions& options) {
    check_source(frame, frame_bytes, source);
    const DstGeometry g = check_dst(dst, options);
    const bool bilinear = options.resize == ResizeMode::BILINEAR;
    const HorizontalPass horizontal_pass = pick_horizontal(source.format, options.order, bilinear);
    const VerticalPass vertical_pass = pick_vertical(dst.get_layout().data_type, bilinear);
    Plan& plan = plan_for(source, g.width, g.height, g.channels, options.resize);

    const size_t elem = dst.get_layout().get_elem_size();
    auto* base = static_cast<uint8_t*>(dst.get_memory_ptr());
    // Compared as integers: the two ranges may belong to different allocations.
    const auto out_begin = reinterpret_cast<uintptr_t>(base), in_begin = reinterpret_cast<uintptr_t>(frame);
    if (out_begin < in_begin + image_frame_bytes(source) && in_begin < out_begin + dst.get_tensor_total_size_in_byte()) {
        fail(ErrorCode::InvalidArgument, "the input tensor's memory overlaps the frame (was the tensor bound to a frame "
                                         "by share?): preprocess into a tensor with memory of its own");
    }
    const bool nchw = options.layout == ImageLayout::NCHW;
    const auto channel_stride = static_cast<ptrdiff_t>(nchw ? g.height * g.width : 1);
    const auto x_stride = static_cast<ptrdiff_t>(nchw ? 1 : g.channels);
    const size_t row_elems = nchw ? g.width : g.width * g.channels;

    // Two row buffers hold resized source rows; a row still needed by the next destination row is kept.
    int64_t cached[2] = {-1, -1};
    auto resized_row = [&](int32_t y, int32_t keep) -> const float* {
        for (int s = 0; s < 2; ++s) {
            if (cached[s] == y) return plan.rows[s].data();
        }
        const int s = cached[0] == keep ? 1 : 0;
        horizontal_pass(frame, source, static_cast<size_t>(y), plan.x, plan.rows[s].data());
        cached[s] = y;
        return plan.rows[s].data();
    };
    for (size_t y = 0; y < g.height; ++y) {
        const int32_t y0 = plan.y.i0[y], y1 = plan.y.i1[y];
        const float* top = resized_row(y0, y1);
        const float* bottom = bilinear && y1 != y0 ? resized_row(y1, y0) : top;
        const RowOut out{base + y * row_elems * elem, channel_stride, x_stride};
        vertical_pass(top, bottom, plan.y.w[y], g.width, g.channels, options.mean, options.scale, out);
    }
}

bool can_bind_directly(const ImageSpec& source, const Tensor& dst, const PreprocessOptions& options) {
    const bool gray = options.order == ChannelOrder::GRAY;
    const bool format_matches = (source.format == PixelFormat::RGB24 && options.order == ChannelOrder::RGB) ||
                                (source.format == PixelFormat::BGR24 && options.order == ChannelOrder::BGR) ||
                                (source.format == PixelFormat::GRAY8 && gray);
    if (!format_matches || dst.get_device_type() != LITE_CPU || dst.is_view()) return false;
    const size_t channels = gray ? 1 : 3;
    for (size_t c = 0; c < channels; ++c) {
        if (options.mean[c] != 0.f || options.scale[c] != 1.f) return false;
    }
    const Layout layout = dst.get_layout();
    if (layout.data_type != LITE_UINT8 || layout.ndim != 4 || layout.shapes[0] != 1) return false;
    const size_t h = source.height, w = source.width;
    if (options.layout == ImageLayout::NHWC) {
        return layout.shapes[1] == h && layout.shapes[2] == w && layout.shapes[3] == channels;
    }
    // NCHW is the same bytes as HWC only with one channel.
    return gray && options.layout == ImageLayout::NCHW && layout.shapes[1] == 1 && layout.shapes[2] == h &&
           layout.shapes[3] == w;
}

}  // namespace lite
