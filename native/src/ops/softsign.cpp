#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Softsign, x / (1.f + std::fabs(x)))
