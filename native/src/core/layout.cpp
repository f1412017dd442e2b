#include "lite/layout.h"

#include "lite/error.h"

namespace lite {
namespace {

struct DtypeInfo {
    LiteDataType type;
    const char* name;
    size_t size;
};

constexpr DtypeInfo kDtypes[] = {
        {LITE_FLOAT, "float32", 4}, {LITE_HALF, "float16", 2},  {LITE_INT, "int32", 4},
        {LITE_INT16, "int16", 2},   {LITE_INT8, "int8", 1},     {LITE_UINT8, "uint8", 1},
        {LITE_UINT, "uint32", 4},   {LITE_UINT16, "uint16", 2}, {LITE_INT64, "int64", 8},
        {LITE_BOOL, "bool", 1},
};

const DtypeInfo& info(LiteDataType dtype) {
    for (const auto& entry : kDtypes) {
        if (entry.type == dtype) return entry;
    }
    throw Error(ErrorCode::InvalidLayout,
                "unknown data type " + std::to_string(static_cast<int>(dtype)) + ": use one of the LiteDataType values");
}

}  // namespace

Layout::Layout(const std::vector<size_t>& shape, LiteDataType dtype) : ndim(shape.size()), data_type(dtype) {
    if (shape.size() > kMaxDims) {
        throw Error(ErrorCode::InvalidLayout, "a layout has at most " + std::to_string(kMaxDims) + " dims, got " +
                                                  std::to_string(shape.size()) + ": merge dims with reshape");
    }
    info(dtype);  // validates
    for (size_t i = 0; i < shape.size(); ++i) shapes[i] = shape[i];
}

size_t Layout::get_elem_size() const { return info(data_type).size; }

size_t Layout::get_elem_count() const {
    if (ndim == 0) return 0;
    size_t count = 1;
    for (size_t i = 0; i < ndim; ++i) count *= shapes[i];
    return count;
}

bool Layout::operator==(const Layout& other) const {
    if (ndim != other.ndim || data_type != other.data_type) return false;
    for (size_t i = 0; i < ndim; ++i) {
        if (shapes[i] != other.shapes[i]) return false;
    }
    return true;
}

std::string Layout::to_string() const {
    std::string text = std::string(dtype_name(data_type)) + "[";
    for (size_t i = 0; i < ndim; ++i) text += (i ? "," : "") + std::to_string(shapes[i]);
    return text + "]";
}

size_t dtype_size(LiteDataType dtype) { return info(dtype).size; }
const char* dtype_name(LiteDataType dtype) { return info(dtype).name; }

LiteDataType dtype_from_name(const std::string& name) {
    std::string accepted;
    for (const auto& entry : kDtypes) {
        if (name == entry.name) return entry.type;
        accepted += std::string(accepted.empty() ? "" : ", ") + entry.name;
    }
    throw Error(ErrorCode::InvalidLayout, "unknown data type '" + name + "': use one of " + accepted);
}

const char* device_name(LiteDeviceType device) {
    switch (device) {
        case LITE_CPU: return "CPU";
        case LITE_CUDA: return "CUDA";
        case LITE_OPENCL: return "OPENCL";
        case LITE_DEVICE_DEFAULT: return "DEFAULT";
    }
    return "UNKNOWN";
}

}  // namespace lite
