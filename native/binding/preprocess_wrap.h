// preprocessImage and canBindDirectly (native/include/lite/preprocess.h) for sdk/src/pipeline/preprocess.ts,
// which validates the arguments; this file only marshals them.
#pragma once

#include <napi.h>

namespace edgelite::binding {

//! preprocessImage(frame: Uint8Array, spec: {width, height, pixel}, tensor, options: {layout, order, resize,
//! mean: number[3], scale: number[3]}): void
Napi::Value preprocess_image(const Napi::CallbackInfo& info);
//! canBindDirectly(spec, tensor, options): boolean
Napi::Value can_bind_directly(const Napi::CallbackInfo& info);

}  // namespace edgelite::binding
