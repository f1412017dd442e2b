#include "lite/error.h"

namespace lite {

const char* error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidArgument: return "INVALID_ARGUMENT";
        case ErrorCode::InvalidLayout: return "INVALID_LAYOUT";
        case ErrorCode::ShapeMismatch: return "SHAPE_MISMATCH";
        case ErrorCode::DtypeMismatch: return "DTYPE_MISMATCH";
        case ErrorCode::NotContiguous: return "NOT_CONTIGUOUS";
        case ErrorCode::DeviceUnavailable: return "DEVICE_UNAVAILABLE";
        case ErrorCode::OutOfMemory: return "OUT_OF_MEMORY";
        case ErrorCode::InvalidState: return "INVALID_STATE";
        case ErrorCode::NotSupported: return "NOT_SUPPORTED";
        case ErrorCode::InvalidModel: return "INVALID_MODEL";
        case ErrorCode::UnsupportedOp: return "UNSUPPORTED_OP";
        case ErrorCode::IoError: return "IO_ERROR";
        case ErrorCode::Internal: return "INTERNAL";
    }
    return "INTERNAL";
}

}  // namespace lite
