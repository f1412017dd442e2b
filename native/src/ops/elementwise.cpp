#include "ops/elementwise.h"

#include "lite/layout.h"

namespace lite::ops {

const char* dtype_label(LiteDataType t) { return dtype_name(t); }

std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out_shape) {
    std::vector<int64_t> strides(out_shape.size(), 0);
    int64_t stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        size_t o = i + out_shape.size() - shape.size();
        strides[o] = shape[i] == 1 ? 0 : stride;
        stride *= shape[i];
    }
    return strides;
}

}  // namespace lite::ops
