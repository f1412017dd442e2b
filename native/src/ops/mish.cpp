// Mish: x * tanh(softplus(x)), softplus computed without overflow for large x.
#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Mish, x * std::tanh(x > 0.f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x))))
