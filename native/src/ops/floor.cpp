#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Floor, std::floor(x))
