// Enums and limits shared by the whole public API. Numeric values follow MegEngine Lite's C header so that
// code and documentation written for Lite keep their meaning; LITE_OPENCL and LITE_BOOL are edgelite's own.
#pragma once

#include <cstddef>

//! Where a tensor's memory lives and where a network runs.
enum LiteDeviceType {
    LITE_CPU = 0,
    LITE_CUDA = 1,
    LITE_OPENCL = 2,
    //! Resolved to the network's device when a tensor is bound to it.
    LITE_DEVICE_DEFAULT = 7,
};

//! Element type of a tensor. String forms (used by the SDK) in comments.
enum LiteDataType {
    LITE_FLOAT = 0,   //!< "float32"
    LITE_HALF = 1,    //!< "float16" (stored as IEEE binary16 bits)
    LITE_INT = 2,     //!< "int32"
    LITE_INT16 = 3,   //!< "int16"
    LITE_INT8 = 4,    //!< "int8"
    LITE_UINT8 = 5,   //!< "uint8"
    LITE_UINT = 6,    //!< "uint32"
    LITE_UINT16 = 7,  //!< "uint16"
    LITE_INT64 = 8,   //!< "int64"
    LITE_BOOL = 9,    //!< "bool" (one byte per element, ONNX masks)
};

//! Whether a network output is computed (VALUE) or only its shape is wanted (SHAPE).
enum LiteIOType {
    LITE_IO_VALUE = 0,
    LITE_IO_SHAPE = 1,
};

//! Which side of a network a tensor is on, for get_io_tensor.
enum LiteTensorPhase {
    LITE_IO = 0,
    LITE_INPUT = 1,
    LITE_OUTPUT = 2,
};

//! Log verbosity, most verbose first.
enum LiteLogLevel {
    LITE_DEBUG = 0,
    LITE_INFO = 1,
    LITE_WARN = 2,
    LITE_ERROR = 3,
};

namespace lite {
//! A layout has at most this many dimensions (as in MegEngine Lite).
constexpr size_t kMaxDims = 7;
//! Every allocation the runtime makes is aligned to this many bytes (a cache line, and enough for AVX-512).
constexpr size_t kAlignment = 64;
}  // namespace lite
