#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Cos, std::cos(x))
