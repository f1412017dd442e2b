// Round: half to even (nearbyint under the default rounding mode, FE_TONEAREST), as ONNX and numpy round.
#include <cmath>

#include "ops/elementwise.h"

EDGELITE_UNARY_FLOAT_OP(Round, std::nearbyint(x))
