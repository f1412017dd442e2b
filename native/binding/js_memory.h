// Lifetimes across the JS/C++ boundary: JS memory used by tensors stays alive while any tensor uses it, and
// tensor memory viewed from JS stays alive while any view exists.
#pragma once

#include <napi.h>

#include <memory>

#include "lite/tensor.h"

namespace edgelite::binding {

//! An owner token for lite::Tensor::reset that holds a strong reference to `array` (a TypedArray or
//! DataView). Dropping the last copy releases the reference on the JS thread, even if dropped elsewhere.
std::shared_ptr<void> anchor_js_memory(Napi::Env env, const Napi::Object& array);

//! An ArrayBuffer and byte offset through which JS sees the tensor's host memory in place: the caller's own
//! buffer when the memory came from JS, else an external ArrayBuffer that keeps the native memory alive.
//! Returns an empty value when the CPU cannot address the memory.
Napi::Value host_view(Napi::Env env, const lite::Tensor& tensor);

//! Releases JS references that were dropped on other threads; called on entry to the binding.
void release_pending_anchors();

}  // namespace edgelite::binding
