// Host-side translation from the ops layer's types (ops/op.h) to the kernels' plain argument types.
#pragma once

#include "backends/cuda/kernels/common.cuh"
#include "ops/op.h"

namespace lite::backend::cuda::kernels {

//! ops::Activation as the kernels read it.
inline Act to_kernel_act(const ops::Activation& a) {
    static_assert(int(ops::Activation::Tanh) == int(Act::Tanh), "Act mirrors ops::Activation's kinds");
    Act act;
    act.kind = int(a.kind);
    act.alpha = a.alpha;
    act.beta = a.beta;
    act.min = a.min;
    act.max = a.max;
    act.scale = a.scale;
    act.shift = a.shift;
    return act;
}

}  // namespace lite::backend::cuda::kernels
