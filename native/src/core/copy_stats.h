// Counters behind lite::get_copy_stats(): bytes moved between memory places by tensor operations.
#pragma once

#include <cstdint>

#include "lite/common.h"

namespace lite {
//! Adds bytes to the counter of the direction from src_device to dst_device (CPU counts as host).
void count_copy(LiteDeviceType src_device, LiteDeviceType dst_device, uint64_t bytes);
}  // namespace lite
