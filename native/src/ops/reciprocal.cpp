#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Reciprocal, 1.f / x)
