#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Erf, std::erf(x))
