// Image preprocessing for a network input: colour conversion, resize and normalisation of one camera frame,
// written in one pass straight into the input tensor's host memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lite/tensor.h"

namespace lite {

//! Packed 8-bit pixel formats of camera frames (the SDK's ImageFormat.pixel).
enum class PixelFormat {
    RGB24,    //!< "rgb24": 3 bytes per pixel, R G B
    BGR24,    //!< "bgr24": 3 bytes per pixel, B G R
    GRAY8,    //!< "gray8": 1 byte per pixel
    YUYV422,  //!< "yuyv422": 2 bytes per pixel, Y0 U Y1 V for each pair of pixels; even widths only
    NV12,     //!< "nv12": the Y plane, then interleaved U V at half width and half height (rounded up); even widths only
};

//! The size and pixel format of a frame. Rows are packed: no padding between them.
struct ImageSpec {
    size_t width = 0;
    size_t height = 0;
    PixelFormat format = PixelFormat::RGB24;
};

//! Where the channel dim of the input tensor is: [1, C, H, W] or [1, H, W, C].
enum class ImageLayout { NCHW, NHWC };
//! The channel order the model expects: 3 channels for RGB and BGR, 1 for GRAY.
enum class ChannelOrder { RGB, BGR, GRAY };
//! NEAREST: the source pixel under the centre of each destination pixel. BILINEAR: half-pixel centres with edge
//! clamping, as OpenCV's cv2.resize(INTER_LINEAR) (no antialiasing when shrinking).
enum class ResizeMode { NEAREST, BILINEAR };

//! How a frame becomes a network input. Each output channel c is (pixel - mean[c]) * scale[c], where pixel is
//! 0..255 after colour conversion and resize; a GRAY model uses mean[0] and scale[0].
struct PreprocessOptions {
    ImageLayout layout = ImageLayout::NCHW;
    ChannelOrder order = ChannelOrder::RGB;
    ResizeMode resize = ResizeMode::BILINEAR;
    float mean[3] = {0.f, 0.f, 0.f};
    float scale[3] = {1.f, 1.f, 1.f};
};

//! Widths and heights above this are rejected (a frame from outside gets a size limit).
constexpr size_t kMaxImageSide = 32768;

//! Bytes of one frame of spec (NV12: width * height + width * ceil(height / 2)). Does not validate spec.
size_t image_frame_bytes(const ImageSpec& spec);

/**
 * Converts, resizes and normalises `frame` into `dst`, the network's input tensor: host-accessible, contiguous,
 * shaped [1, C, H, W] (NCHW) or [1, H, W, C] (NHWC) with C = 3 for RGB/BGR and 1 for GRAY, of dtype float32,
 * float16 or uint8. A uint8 output is rounded to nearest and saturated to 0..255.
 *
 * Colour: YUV is BT.601 limited range ("studio swing", what V4L2 cameras and hardware decoders deliver),
 * converted with the usual 8-bit integer coefficients, C = Y-16, D = U-128, E = V-128:
 *   R = clamp((298 C + 409 E + 128) >> 8), G = clamp((298 C - 100 D - 208 E + 128) >> 8),
 *   B = clamp((298 C + 516 D + 128) >> 8);
 * chroma is shared by the 2 (YUYV) or 2x2 (NV12) pixels it covers (no chroma interpolation). GRAY from YUV is
 * clamp((298 C + 128) >> 8); GRAY from RGB/BGR is BT.601 luma (4899 R + 9617 G + 1868 B + 8192) >> 14, as
 * OpenCV's COLOR_RGB2GRAY; RGB from GRAY repeats the value. Colour conversion comes first (integer, exact), then
 * the resize and the normalisation in float.
 *
 * Throws Error: InvalidArgument (bad spec or options, odd width for YUYV/NV12, dst memory overlapping the frame
 * as after binding dst to a frame by share), ShapeMismatch (frame smaller than its format needs, dst shape not
 * [1,C,H,W]/[1,H,W,C] with the channel count of the order), DtypeMismatch (dst dtype), NotContiguous (dst is a
 * strided view), NotSupported (dst memory is not host memory).
 */
void preprocess_image(const uint8_t* frame, size_t frame_bytes, const ImageSpec& source, Tensor& dst,
                      const PreprocessOptions& options);

/**
 * True when `dst` can use the frame's memory as it is (Tensor::reset / the SDK's setDataByShare) instead of
 * preprocess_image: an RGB24 frame for an RGB model or BGR24 for BGR (or GRAY8 for GRAY), a CPU tensor that is
 * not a view, dtype uint8, NHWC of exactly the frame's size ([1, height, width, C]; for GRAY [1, 1, H, W] in NCHW
 * too), and no normalisation (mean 0, scale 1). Never throws; false for anything that does not fit.
 */
bool can_bind_directly(const ImageSpec& source, const Tensor& dst, const PreprocessOptions& options);

}  // namespace lite
