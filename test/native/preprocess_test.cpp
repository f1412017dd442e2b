// preprocess_image against a per-pixel reference written here (no tables, no row buffers): every pixel format,
// channel order, layout, resize mode and output dtype over random sizes (1-pixel and odd sizes, up- and down-
// scaling); every error case; can_bind_directly.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "lite/error.h"
#include "lite/global.h"
#include "lite/preprocess.h"
#include "lite/tensor.h"
#include "ops/op.h"  // half_to_float
#include "error_code.h"

using namespace lite;
using lite::test::code_of;

namespace {

const PixelFormat kFormats[] = {PixelFormat::RGB24, PixelFormat::BGR24, PixelFormat::GRAY8, PixelFormat::YUYV422,
                                PixelFormat::NV12};
const char* name(PixelFormat f) {
    const char* names[] = {"rgb24", "bgr24", "gray8", "yuyv422", "nv12"};
    return names[static_cast<int>(f)];
}
const char* name(ChannelOrder o) { return o == ChannelOrder::RGB ? "RGB" : o == ChannelOrder::BGR ? "BGR" : "GRAY"; }
const char* name(LiteDataType t) { return dtype_name(t); }

size_t frame_size(size_t w, size_t h, PixelFormat f) {
    switch (f) {
        case PixelFormat::RGB24:
        case PixelFormat::BGR24: return w * h * 3;
        case PixelFormat::GRAY8: return w * h;
        case PixelFormat::YUYV422: return w * h * 2;
        case PixelFormat::NV12: return w * h + w * ((h + 1) / 2);
    }
    return 0;
}

int clip(int v) { return std::min(255, std::max(0, v)); }

// The documented conversion, written out per pixel: RGB of pixel (x, y) of the frame.
void reference_rgb(const std::vector<uint8_t>& f, size_t w, size_t h, PixelFormat format, size_t x, size_t y,
                   int rgb[3]) {
    int Y = 0, U = 0, V = 0;
    switch (format) {
        case PixelFormat::RGB24:
            for (int c = 0; c < 3; ++c) rgb[c] = f[(y * w + x) * 3 + c];
            return;
        case PixelFormat::BGR24:
            for (int c = 0; c < 3; ++c) rgb[c] = f[(y * w + x) * 3 + 2 - c];
            return;
        case PixelFormat::GRAY8:
            rgb[0] = rgb[1] = rgb[2] = f[y * w + x];
            return;
        case PixelFormat::YUYV422:
            Y = f[(y * w + x) * 2];
            U = f[(y * w + x / 2 * 2) * 2 + 1];
            V = f[(y * w + x / 2 * 2) * 2 + 3];
            break;
        case PixelFormat::NV12:
            Y = f[y * w + x];
            U = f[w * h + (y / 2) * w + (x / 2) * 2];
            V = f[w * h + (y / 2) * w + (x / 2) * 2 + 1];
            break;
    }
    const int C = Y - 16, D = U - 128, E = V - 128;
    rgb[0] = clip((298 * C + 409 * E + 128) >> 8);
    rgb[1] = clip((298 * C - 100 * D - 208 * E + 128) >> 8);
    rgb[2] = clip((298 * C + 516 * D + 128) >> 8);
}

// Channel c (model order) of pixel (x, y), 0..255.
int reference_channel(const std::vector<uint8_t>& f, size_t w, size_t h, PixelFormat format, ChannelOrder order,
                      size_t x, size_t y, size_t c) {
    if (order == ChannelOrder::GRAY) {
        if (format == PixelFormat::YUYV422 || format == PixelFormat::NV12) {
            int Y = format == PixelFormat::NV12 ? f[y * w + x] : f[(y * w + x) * 2];
            return clip((298 * (Y - 16) + 128) >> 8);
        }
        int rgb[3];
        reference_rgb(f, w, h, format, x, y, rgb);
        return static_cast<int>((4899 * rgb[0] + 9617 * rgb[1] + 1868 * rgb[2] + 8192) >> 14);
    }
    int rgb[3];
    reference_rgb(f, w, h, format, x, y, rgb);
    return rgb[order == ChannelOrder::RGB ? c : 2 - c];
}

// One output value before dtype conversion: resize (OpenCV's INTER_LINEAR definition, or the nearest pixel
// centre), then (v - mean) * scale, in double.
double reference_value(const std::vector<uint8_t>& f, size_t w, size_t h, PixelFormat format,
                       const PreprocessOptions& o, size_t dw, size_t dh, size_t dx, size_t dy, size_t c) {
    auto px = [&](size_t x, size_t y) { return reference_channel(f, w, h, format, o.order, x, y, c); };
    double v;
    if (o.resize == ResizeMode::NEAREST) {
        size_t sx = std::min(static_cast<size_t>(std::floor((dx + 0.5) * w / dw)), w - 1);
        size_t sy = std::min(static_cast<size_t>(std::floor((dy + 0.5) * h / dh)), h - 1);
        v = px(sx, sy);
    } else {
        double sx = std::clamp((dx + 0.5) * static_cast<double>(w) / dw - 0.5, 0.0, static_cast<double>(w - 1));
        double sy = std::clamp((dy + 0.5) * static_cast<double>(h) / dh - 0.5, 0.0, static_cast<double>(h - 1));
        size_t x0 = static_cast<size_t>(sx), y0 = static_cast<size_t>(sy);
        size_t x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
        double wx = sx - x0, wy = sy - y0;
        v = (1 - wy) * ((1 - wx) * px(x0, y0) + wx * px(x1, y0)) + wy * ((1 - wx) * px(x0, y1) + wx * px(x1, y1));
    }
    return (v - o.mean[c]) * o.scale[c];
}

struct Case {
    PixelFormat format;
    size_t w, h, dw, dh;
    PreprocessOptions options;
    LiteDataType dtype;

    std::string describe() const {
        return std::string(name(format)) + " " + std::to_string(w) + "x" + std::to_string(h) + " -> " +
               std::to_string(dw) + "x" + std::to_string(dh) + " " + name(options.order) + " " +
               (options.layout == ImageLayout::NCHW ? "NCHW " : "NHWC ") +
               (options.resize == ResizeMode::NEAREST ? "nearest " : "bilinear ") + name(dtype) + " mean " +
               std::to_string(options.mean[0]) + " scale " + std::to_string(options.scale[0]);
    }
};

std::vector<size_t> shape_of(const Case& k) {
    size_t C = k.options.order == ChannelOrder::GRAY ? 1 : 3;
    if (k.options.layout == ImageLayout::NCHW) return {1, C, k.dh, k.dw};
    return {1, k.dh, k.dw, C};
}

// Runs one case and compares every element with the reference; returns false (with one message) on a mismatch.
bool check_case(const Case& k, std::mt19937& rng) {
    std::vector<uint8_t> frame(frame_size(k.w, k.h, k.format));
    for (auto& b : frame) b = static_cast<uint8_t>(rng());
    Tensor dst(LITE_CPU, Layout(shape_of(k), k.dtype));
    preprocess_image(frame.data(), frame.size(), {k.w, k.h, k.format}, dst, k.options);

    const size_t C = k.options.order == ChannelOrder::GRAY ? 1 : 3;
    const bool nchw = k.options.layout == ImageLayout::NCHW;
    const bool nearest = k.options.resize == ResizeMode::NEAREST;
    for (size_t y = 0; y < k.dh; ++y) {
        for (size_t x = 0; x < k.dw; ++x) {
            for (size_t c = 0; c < C; ++c) {
                size_t i = nchw ? (c * k.dh + y) * k.dw + x : (y * k.dw + x) * C + c;
                double want = reference_value(frame, k.w, k.h, k.format, k.options, k.dw, k.dh, x, y, c);
                double got = 0, tolerance = 0;
                switch (k.dtype) {
                    case LITE_FLOAT:
                        got = static_cast<const float*>(dst.get_memory_ptr())[i];
                        tolerance = 1e-4;
                        break;
                    case LITE_HALF:
                        got = ops::half_to_float(static_cast<const uint16_t*>(dst.get_memory_ptr())[i]);
                        tolerance = std::abs(want) / 1024 + 1e-4;  // within one float16 rounding
                        break;
                    default:
                        got = static_cast<const uint8_t*>(dst.get_memory_ptr())[i];
                        want = std::nearbyint(std::clamp(want, 0.0, 255.0));
                        tolerance = nearest ? 0 : 1;  // a float blend may round to the other side of .5
                        break;
                }
                if (!(std::abs(got - want) <= tolerance)) {
                    ADD_FAILURE() << k.describe() << ": at x " << x << " y " << y << " c " << c << " got " << got
                                  << ", reference " << want;
                    return false;
                }
            }
        }
    }
    return true;
}


}  // namespace

TEST(Preprocess, MatchesReferenceOverRandomSizes) {
    std::mt19937 rng(20240611);
    // Sizes that matter: 1 pixel, odd, equal, up- and down-scaling by various factors.
    const std::vector<std::array<size_t, 4>> fixed = {
            {1, 1, 1, 1}, {2, 1, 7, 5}, {1, 1, 4, 3}, {38, 1, 1, 1}, {2, 9, 2, 9}, {16, 12, 8, 6}, {6, 4, 13, 11},
            {30, 17, 7, 3}, {8, 8, 1, 8}};
    std::uniform_int_distribution<size_t> side(1, 40);
    int cases = 0, failures = 0;
    for (PixelFormat format : kFormats) {
        for (ChannelOrder order : {ChannelOrder::RGB, ChannelOrder::BGR, ChannelOrder::GRAY}) {
            for (ImageLayout layout : {ImageLayout::NCHW, ImageLayout::NHWC}) {
                for (ResizeMode mode : {ResizeMode::NEAREST, ResizeMode::BILINEAR}) {
                    for (LiteDataType dtype : {LITE_FLOAT, LITE_UINT8, LITE_HALF}) {
                        std::vector<std::array<size_t, 4>> sizes = fixed;
                        for (int r = 0; r < 4; ++r) sizes.push_back({side(rng), side(rng), side(rng), side(rng)});
                        for (auto [w, h, dw, dh] : sizes) {
                            bool chroma_pairs = format == PixelFormat::YUYV422 || format == PixelFormat::NV12;
                            if (chroma_pairs && w % 2) ++w;
                            Case k{format, w, h, dw, dh, {}, dtype};
                            k.options.layout = layout;
                            k.options.order = order;
                            k.options.resize = mode;
                            // float: typical normalisations (scales at most 1 keep float32 rounding below 1e-4);
                            // uint8 and every 3rd case: none.
                            if (dtype != LITE_UINT8 && cases % 3 != 0) {
                                std::uniform_real_distribution<float> mean(0.f, 255.f), scale(1.f / 255.f, 1.f);
                                for (int c = 0; c < 3; ++c) k.options.mean[c] = mean(rng), k.options.scale[c] = scale(rng);
                            } else if (cases % 7 == 0) {
                                for (int c = 0; c < 3; ++c) k.options.mean[c] = 20.f * c, k.options.scale[c] = 0.5f;
                            }
                            ++cases;
                            if (!check_case(k, rng) && ++failures > 10) FAIL() << "too many failures";
                        }
                    }
                }
            }
        }
    }
    EXPECT_GT(cases, 1000);
}

// Larger frames, as cameras deliver them, down to typical network sizes.
TEST(Preprocess, MatchesReferenceForCameraSizes) {
    std::mt19937 rng(7);
    for (PixelFormat format : kFormats) {
        for (auto [w, h, dw, dh] : {std::array<size_t, 4>{640, 480, 224, 224}, {320, 240, 416, 416}}) {
            Case k{format, w, h, dw, dh, {}, LITE_FLOAT};
            k.options.mean[0] = 123.675f, k.options.mean[1] = 116.28f, k.options.mean[2] = 103.53f;
            k.options.scale[0] = 1 / 58.395f, k.options.scale[1] = 1 / 57.12f, k.options.scale[2] = 1 / 57.375f;
            check_case(k, rng);
        }
    }
}

// The tables are kept per thread for the last sizes: alternating sizes and modes must not reuse stale ones.
TEST(Preprocess, AlternatingSizesAndModes) {
    std::mt19937 rng(3);
    for (int i = 0; i < 6; ++i) {
        Case k{PixelFormat::RGB24, i % 2 ? 9u : 12u, i % 3 ? 5u : 7u, 4 + static_cast<size_t>(i % 2), 6, {},
               LITE_FLOAT};
        k.options.resize = i % 4 < 2 ? ResizeMode::BILINEAR : ResizeMode::NEAREST;
        EXPECT_TRUE(check_case(k, rng));
    }
}

// The integer BT.601 conversion stays within 1 of the exact limited-range formula for every Y, U, V.
TEST(Preprocess, YuvConversionMatchesBt601) {
    int worst = 0;
    for (int Y = 0; Y < 256; Y += 3) {
        for (int U = 0; U < 256; U += 5) {
            for (int V = 0; V < 256; V += 5) {
                const uint8_t frame[4] = {static_cast<uint8_t>(Y), static_cast<uint8_t>(U), static_cast<uint8_t>(Y),
                                          static_cast<uint8_t>(V)};
                Tensor dst(LITE_CPU, Layout({1, 1, 1, 3}, LITE_FLOAT));
                PreprocessOptions o;
                o.layout = ImageLayout::NHWC;
                preprocess_image(frame, 4, {2, 1, PixelFormat::YUYV422}, dst, o);
                const auto* rgb = static_cast<const float*>(dst.get_memory_ptr());
                const double y = 1.164383 * (Y - 16);
                const double exact[3] = {y + 1.596027 * (V - 128), y - 0.391762 * (U - 128) - 0.812968 * (V - 128),
                                         y + 2.017232 * (U - 128)};
                for (int c = 0; c < 3; ++c) {
                    int diff = static_cast<int>(std::abs(rgb[c] - std::clamp(std::round(exact[c]), 0.0, 255.0)));
                    worst = std::max(worst, diff);
                }
            }
        }
    }
    EXPECT_LE(worst, 1);
}

TEST(Preprocess, KnownColoursFromNv12) {
    // 2x2 NV12 frames of one colour (BT.601 limited range): red, green, blue, mid gray.
    struct Colour {
        uint8_t y, u, v;
        float rgb[3];
    } colours[] = {{81, 90, 240, {255, 0, 0}}, {145, 54, 34, {0, 255, 0}}, {41, 240, 110, {0, 0, 255}},
                   {126, 128, 128, {128, 128, 128}}};
    for (const Colour& colour : colours) {
        const uint8_t frame[6] = {colour.y, colour.y, colour.y, colour.y, colour.u, colour.v};
        Tensor dst(LITE_CPU, Layout({1, 3, 2, 2}, LITE_FLOAT));
        preprocess_image(frame, 6, {2, 2, PixelFormat::NV12}, dst, {});
        const auto* out = static_cast<const float*>(dst.get_memory_ptr());
        for (int c = 0; c < 3; ++c) {
            for (int i = 0; i < 4; ++i) EXPECT_NEAR(out[c * 4 + i], colour.rgb[c], 2.0) << int(colour.y) << " c " << c;
        }
    }
}

TEST(Preprocess, RejectsBadSources) {
    Tensor dst(LITE_CPU, Layout({1, 3, 4, 4}, LITE_FLOAT));
    std::vector<uint8_t> frame(64 * 64 * 3);
    const PreprocessOptions o;
    auto run = [&](size_t w, size_t h, PixelFormat f, size_t bytes, const uint8_t* data) {
        return [=, &dst, &o] { preprocess_image(data, bytes, {w, h, f}, dst, o); };
    };
    std::string message;
    EXPECT_EQ(code_of(run(0, 4, PixelFormat::RGB24, frame.size(), frame.data())), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of(run(4, 0, PixelFormat::RGB24, frame.size(), frame.data())), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of(run(kMaxImageSide + 1, 1, PixelFormat::GRAY8, frame.size(), frame.data())),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of(run(4, 4, static_cast<PixelFormat>(17), frame.size(), frame.data())), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of(run(5, 4, PixelFormat::YUYV422, frame.size(), frame.data()), &message), ErrorCode::InvalidArgument);
    EXPECT_NE(message.find("even"), std::string::npos) << message;
    EXPECT_EQ(code_of(run(7, 4, PixelFormat::NV12, frame.size(), frame.data())), ErrorCode::InvalidArgument);
    // One byte short, for every format (NV12 with an odd height has ceil(h/2) chroma rows).
    for (PixelFormat f : kFormats) {
        for (auto [w, h] : {std::pair<size_t, size_t>{6, 4}, {8, 5}}) {
            size_t needed = frame_size(w, h, f);
            EXPECT_EQ(image_frame_bytes({w, h, f}), needed) << name(f);
            EXPECT_EQ(code_of(run(w, h, f, needed - 1, frame.data()), &message), ErrorCode::ShapeMismatch) << name(f);
            EXPECT_NE(message.find(std::to_string(needed)), std::string::npos) << message;
            EXPECT_NO_THROW(run(w, h, f, needed, frame.data())());
        }
    }
    EXPECT_EQ(code_of(run(4, 4, PixelFormat::RGB24, 48, nullptr)), ErrorCode::InvalidArgument);
}

TEST(Preprocess, RejectsBadTensorsAndOptions) {
    std::vector<uint8_t> frame(8 * 8 * 3);
    const ImageSpec spec{8, 8, PixelFormat::RGB24};
    auto run = [&](Tensor& dst, const PreprocessOptions& o) {
        return [&] { preprocess_image(frame.data(), frame.size(), spec, dst, o); };
    };
    PreprocessOptions nchw, nhwc, gray;
    nhwc.layout = ImageLayout::NHWC;
    gray.order = ChannelOrder::GRAY;
    std::string message;

    Tensor three_d(LITE_CPU, Layout({3, 4, 4}, LITE_FLOAT));
    EXPECT_EQ(code_of(run(three_d, nchw), &message), ErrorCode::ShapeMismatch);
    EXPECT_NE(message.find("[1, 3, H, W]"), std::string::npos) << message;
    Tensor batch2(LITE_CPU, Layout({2, 3, 4, 4}, LITE_FLOAT));
    EXPECT_EQ(code_of(run(batch2, nchw)), ErrorCode::ShapeMismatch);
    Tensor rgb_nchw(LITE_CPU, Layout({1, 3, 4, 4}, LITE_FLOAT));
    EXPECT_EQ(code_of(run(rgb_nchw, nhwc)), ErrorCode::ShapeMismatch);  // C is in dim 1, NHWC wants it in dim 3
    EXPECT_EQ(code_of(run(rgb_nchw, gray)), ErrorCode::ShapeMismatch);  // GRAY needs 1 channel
    Tensor one_channel(LITE_CPU, Layout({1, 1, 4, 4}, LITE_FLOAT));
    EXPECT_EQ(code_of(run(one_channel, nchw), &message), ErrorCode::ShapeMismatch);
    EXPECT_NE(message.find("RGB"), std::string::npos) << message;
    EXPECT_NO_THROW(run(one_channel, gray)());

    Tensor int32(LITE_CPU, Layout({1, 3, 4, 4}, LITE_INT));
    EXPECT_EQ(code_of(run(int32, nchw), &message), ErrorCode::DtypeMismatch);
    EXPECT_NE(message.find("int32"), std::string::npos) << message;

    Tensor whole(LITE_CPU, Layout({1, 3, 8, 8}, LITE_FLOAT));
    auto strided = whole.slice({0, 0, 0, 0}, {1, 3, 8, 8}, {1, 1, 2, 1});
    EXPECT_EQ(code_of(run(*strided, nchw)), ErrorCode::NotContiguous);

    PreprocessOptions bad = nchw;
    bad.scale[2] = std::nanf("");
    EXPECT_EQ(code_of(run(rgb_nchw, bad), &message), ErrorCode::InvalidArgument);
    EXPECT_NE(message.find("scale[2]"), std::string::npos) << message;
    bad = nchw;
    bad.mean[0] = INFINITY;
    EXPECT_EQ(code_of(run(rgb_nchw, bad)), ErrorCode::InvalidArgument);
    bad = gray;
    bad.mean[2] = INFINITY;  // unused by a GRAY model
    EXPECT_NO_THROW(run(one_channel, bad)());
    bad = nchw;
    bad.layout = static_cast<ImageLayout>(9);
    EXPECT_EQ(code_of(run(rgb_nchw, bad)), ErrorCode::InvalidArgument);
    bad = nchw;
    bad.order = static_cast<ChannelOrder>(9);
    EXPECT_EQ(code_of(run(rgb_nchw, bad)), ErrorCode::InvalidArgument);
    bad = nchw;
    bad.resize = static_cast<ResizeMode>(9);
    EXPECT_EQ(code_of(run(rgb_nchw, bad)), ErrorCode::InvalidArgument);

    // A tensor bound to the frame by share (can_bind_directly's path) cannot also be written from it.
    Tensor bound(LITE_CPU);
    bound.reset(frame.data(), Layout({1, 8, 8, 3}, LITE_UINT8));
    EXPECT_EQ(code_of(run(bound, nhwc), &message), ErrorCode::InvalidArgument);
    EXPECT_NE(message.find("overlaps"), std::string::npos) << message;
}

// Device memory the CPU can address (OpenCL on a unified-memory device such as PoCL) is written in place, so a
// frame is preprocessed straight into a device input; other device memory is refused.
TEST(Preprocess, WritesHostVisibleDeviceMemoryAndRejectsOtherDeviceMemory) {
    if (get_device_count(LITE_OPENCL) == 0) GTEST_SKIP() << "no OpenCL device: device memory cannot be tested here";
    std::vector<uint8_t> frame(4 * 4 * 3);
    for (size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<uint8_t>(i * 5);
    Tensor dst(LITE_OPENCL, Layout({1, 3, 4, 4}, LITE_FLOAT));
    if (dst.is_host_accessible()) {
        Tensor want(LITE_CPU, Layout({1, 3, 4, 4}, LITE_FLOAT));
        preprocess_image(frame.data(), frame.size(), {4, 4, PixelFormat::RGB24}, want, {});
        preprocess_image(frame.data(), frame.size(), {4, 4, PixelFormat::RGB24}, dst, {});
        EXPECT_EQ(std::memcmp(dst.get_memory_ptr(), want.get_memory_ptr(), want.get_tensor_total_size_in_byte()), 0);
        return;
    }
    std::string message;
    EXPECT_EQ(code_of([&] { preprocess_image(frame.data(), frame.size(), {4, 4, PixelFormat::RGB24}, dst, {}); },
                      &message),
              ErrorCode::NotSupported);
    EXPECT_NE(message.find("OPENCL"), std::string::npos) << message;
}

TEST(Preprocess, CanBindDirectly) {
    PreprocessOptions nhwc;
    nhwc.layout = ImageLayout::NHWC;
    const ImageSpec rgb{6, 4, PixelFormat::RGB24};
    Tensor exact(LITE_CPU, Layout({1, 4, 6, 3}, LITE_UINT8));
    EXPECT_TRUE(can_bind_directly(rgb, exact, nhwc));
    PreprocessOptions bgr = nhwc;
    bgr.order = ChannelOrder::BGR;
    EXPECT_TRUE(can_bind_directly({6, 4, PixelFormat::BGR24}, exact, bgr));
    EXPECT_FALSE(can_bind_directly({6, 4, PixelFormat::BGR24}, exact, nhwc));  // channels would be swapped
    EXPECT_FALSE(can_bind_directly(rgb, exact, bgr));
    EXPECT_FALSE(can_bind_directly({6, 4, PixelFormat::YUYV422}, exact, nhwc));
    EXPECT_FALSE(can_bind_directly({6, 5, PixelFormat::RGB24}, exact, nhwc));  // a resize is needed
    EXPECT_FALSE(can_bind_directly({4, 6, PixelFormat::RGB24}, exact, nhwc));
    PreprocessOptions normalised = nhwc;
    normalised.scale[1] = 0.5f;
    EXPECT_FALSE(can_bind_directly(rgb, exact, normalised));
    normalised = nhwc;
    normalised.mean[0] = 1.f;
    EXPECT_FALSE(can_bind_directly(rgb, exact, normalised));
    Tensor as_float(LITE_CPU, Layout({1, 4, 6, 3}, LITE_FLOAT));
    EXPECT_FALSE(can_bind_directly(rgb, as_float, nhwc));
    Tensor planar(LITE_CPU, Layout({1, 3, 4, 6}, LITE_UINT8));
    EXPECT_FALSE(can_bind_directly(rgb, planar, PreprocessOptions{}));
    Tensor big(LITE_CPU, Layout({1, 8, 6, 3}, LITE_UINT8));
    auto view = big.slice({0, 0, 0, 0}, {1, 4, 6, 3});
    EXPECT_FALSE(can_bind_directly(rgb, *view, nhwc));  // binding would replace a view's memory
    // Gray: one channel is the same bytes in NCHW and NHWC.
    PreprocessOptions gray;
    gray.order = ChannelOrder::GRAY;
    Tensor gray_nchw(LITE_CPU, Layout({1, 1, 4, 6}, LITE_UINT8));
    EXPECT_TRUE(can_bind_directly({6, 4, PixelFormat::GRAY8}, gray_nchw, gray));
    EXPECT_FALSE(can_bind_directly(rgb, gray_nchw, gray));
    gray.layout = ImageLayout::NHWC;
    Tensor gray_nhwc(LITE_CPU, Layout({1, 4, 6, 1}, LITE_UINT8));
    EXPECT_TRUE(can_bind_directly({6, 4, PixelFormat::GRAY8}, gray_nhwc, gray));

    // What can_bind_directly promises: preprocessing would copy the frame unchanged.
    std::vector<uint8_t> frame(6 * 4 * 3);
    for (size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<uint8_t>(i * 7);
    for (ResizeMode mode : {ResizeMode::NEAREST, ResizeMode::BILINEAR}) {
        nhwc.resize = mode;
        preprocess_image(frame.data(), frame.size(), rgb, exact, nhwc);
        EXPECT_EQ(0, std::memcmp(exact.get_memory_ptr(), frame.data(), frame.size()));
    }
}
