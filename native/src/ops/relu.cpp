#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Relu, x > 0.f ? x : 0.f)
