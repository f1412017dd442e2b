// lite::Layout: the shape and element type of a tensor, a plain value type.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "lite/common.h"

namespace lite {

struct Layout {
    size_t shapes[kMaxDims] = {0};
    size_t ndim = 0;
    LiteDataType data_type = LITE_FLOAT;

    Layout() = default;
    //! Throws Error(InvalidLayout) for more than kMaxDims dims or an unknown data type.
    Layout(const std::vector<size_t>& shape, LiteDataType dtype = LITE_FLOAT);

    std::vector<size_t> shape() const { return std::vector<size_t>(shapes, shapes + ndim); }
    //! Bytes of one element.
    size_t get_elem_size() const;
    //! Product of the dims (0 for an empty layout).
    size_t get_elem_count() const;
    size_t get_size_in_bytes() const { return get_elem_count() * get_elem_size(); }
    bool operator==(const Layout& other) const;
    bool operator!=(const Layout& other) const { return !(*this == other); }
    //! "float32[2,3,4]"
    std::string to_string() const;
};

//! Bytes of one element of dtype; throws Error(InvalidLayout) for an unknown value.
size_t dtype_size(LiteDataType dtype);
//! "float32", "int8", ...; the SDK's string forms.
const char* dtype_name(LiteDataType dtype);
//! Inverse of dtype_name; throws Error(InvalidLayout) with the accepted names for an unknown string.
LiteDataType dtype_from_name(const std::string& name);
//! "CPU", "CUDA", "OPENCL", "DEFAULT".
const char* device_name(LiteDeviceType device);

}  // namespace lite
