#include "errors.h"

#include <new>

#include "lite/error.h"

namespace edgelite::binding {
namespace {
Napi::FunctionReference g_error_class;
}

void set_error_class(const Napi::CallbackInfo& info) {
    g_error_class = Napi::Persistent(info[0].As<Napi::Function>());
}

void throw_error(Napi::Env env, const char* code, const std::string& message) {
    if (!g_error_class.IsEmpty()) {
        Napi::Object error = g_error_class.New({Napi::String::New(env, code), Napi::String::New(env, message)});
        throw Napi::Error(env, error);
    }
    Napi::Error error = Napi::Error::New(env, message);
    error.Set("code", Napi::String::New(env, code));
    throw error;
}

Napi::Value guarded(Napi::Env env, const std::function<Napi::Value()>& fn) {
    try {
        return fn();
    } catch (const Napi::Error&) {
        throw;
    } catch (const lite::Error& e) {
        throw_error(env, e.code_name(), e.what());
    } catch (const std::bad_alloc&) {
        throw_error(env, "OUT_OF_MEMORY", "out of memory: free memory or use smaller tensors");
    } catch (const std::exception& e) {
        throw_error(env, "INTERNAL", std::string("internal error, please report it: ") + e.what());
    }
}

}  // namespace edgelite::binding
