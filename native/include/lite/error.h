// The one exception type of the C++ API. Its code is stable and mirrored by the SDK's LiteError.code;
// the table of codes is in README.md ("Errors").
#pragma once

#include <stdexcept>
#include <string>

namespace lite {

enum class ErrorCode {
    InvalidArgument,    //!< "INVALID_ARGUMENT": a value is out of range or of the wrong kind
    InvalidLayout,      //!< "INVALID_LAYOUT": too many dims, a zero/negative dim, an unknown dtype
    ShapeMismatch,      //!< "SHAPE_MISMATCH": element counts or shapes that must agree do not
    DtypeMismatch,      //!< "DTYPE_MISMATCH": element types that must agree do not
    NotContiguous,      //!< "NOT_CONTIGUOUS": the operation needs a contiguous tensor, this one is a view
    DeviceUnavailable,  //!< "DEVICE_UNAVAILABLE": the backend is not built in, or no such device is present
    OutOfMemory,        //!< "OUT_OF_MEMORY": an allocation failed
    InvalidState,       //!< "INVALID_STATE": the call is not allowed now (e.g. after load, after dispose)
    NotSupported,       //!< "NOT_SUPPORTED": a valid request this build cannot serve
    InvalidModel,       //!< "INVALID_MODEL": the model file is corrupt, truncated or not valid ONNX
    UnsupportedOp,      //!< "UNSUPPORTED_OP": the model uses operators (or types) this runtime lacks
    IoError,            //!< "IO_ERROR": a file could not be read or written
    Internal,           //!< "INTERNAL": a bug in edgelite; please report it
};

//! Stable string form of a code ("INVALID_ARGUMENT", ...), the same as the SDK's LiteError.code.
const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    ErrorCode code() const { return m_code; }
    const char* code_name() const { return error_code_name(m_code); }

private:
    ErrorCode m_code;
};

}  // namespace lite
