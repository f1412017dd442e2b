// Softplus: log(1 + exp(x)), computed without overflow for large x.
#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Softplus, x > 0.f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)))
