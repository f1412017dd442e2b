// The whole public C++ API of edgelite.
#pragma once

#include "lite/common.h"
#include "lite/error.h"
#include "lite/global.h"
#include "lite/layout.h"
#include "lite/network.h"
#include "lite/tensor.h"
