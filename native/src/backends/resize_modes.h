// How a Resize maps output coordinates to input ones, as the device kernels (OpenCL, CUDA) and the node reader
// share it. Plain enums: the CUDA kernels include this from device code.
#pragma once

namespace lite::backend {

enum class ResizeMode { Nearest, Linear };
enum class ResizeCoord { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNn };
//! Simple: before opset 11 (Upsample, Resize-10): truncate, or round up when downsampling.
enum class ResizeNearest { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Simple };

}  // namespace lite::backend
