// Turns C++ exceptions into the SDK's LiteError (registered by sdk/src/native.ts), so every failure reaching
// JS carries a stable code.
#pragma once

#include <napi.h>

#include <functional>

namespace edgelite::binding {

//! Registers the JS LiteError class: new LiteError(code, message).
void set_error_class(const Napi::CallbackInfo& info);
//! Runs fn; a lite::Error, std::bad_alloc or other exception becomes a thrown LiteError.
Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& fn);
//! Throws a LiteError with the given code and message.
[[noreturn]] void throw_error(Napi::Env env, const char* code, const std::string& message);

}  // namespace edgelite::binding
