// Module entry: the Tensor class and LiteGlobal's functions.
#include <napi.h>

#include "errors.h"
#include "js_memory.h"
#include "lite/global.h"
#include "lite/network.h"
#include "network_wrap.h"
#include "preprocess_wrap.h"
#include "tensor_wrap.h"

namespace edgelite::binding {
namespace {

Napi::Value concat(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        Napi::Array list = info[0].As<Napi::Array>();
        std::vector<std::shared_ptr<lite::Tensor>> tensors;
        for (uint32_t i = 0; i < list.Length(); ++i) tensors.push_back(TensorWrap::unwrap(list.Get(i)));
        auto device = static_cast<LiteDeviceType>(info[2].As<Napi::Number>().Int32Value());
        auto result = lite::TensorUtils::concat(tensors, info[1].As<Napi::Number>().Int32Value(), device,
                                                info[3].As<Napi::Number>().Int32Value());
        return TensorWrap::wrap(info.Env(), std::move(result));
    });
}

Napi::Value get_device_count(const Napi::CallbackInfo& info) {
    auto type = static_cast<LiteDeviceType>(info[0].As<Napi::Number>().Int32Value());
    return Napi::Number::New(info.Env(), static_cast<double>(lite::get_device_count(type)));
}

// getDeviceDescription(deviceType, deviceId): a missing device throws, as a LiteError DEVICE_UNAVAILABLE.
Napi::Value get_device_description(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        auto type = static_cast<LiteDeviceType>(info[0].As<Napi::Number>().Int32Value());
        int device_id = info[1].As<Napi::Number>().Int32Value();
        return Napi::String::New(info.Env(), lite::get_device_description(type, device_id));
    });
}

Napi::Value release_unused_memory(const Napi::CallbackInfo& info) {
    lite::release_unused_memory();
    return info.Env().Undefined();
}

Napi::Value set_log_level(const Napi::CallbackInfo& info) {
    lite::set_log_level(static_cast<LiteLogLevel>(info[0].As<Napi::Number>().Int32Value()));
    return info.Env().Undefined();
}

Napi::Value get_log_level(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), lite::get_log_level());
}

Napi::Value get_copy_stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    lite::CopyStats stats = lite::get_copy_stats();
    Napi::Object result = Napi::Object::New(env);
    result.Set("hostToHost", Napi::Number::New(env, static_cast<double>(stats.host_to_host)));
    result.Set("hostToDevice", Napi::Number::New(env, static_cast<double>(stats.host_to_device)));
    result.Set("deviceToHost", Napi::Number::New(env, static_cast<double>(stats.device_to_host)));
    result.Set("deviceToDevice", Napi::Number::New(env, static_cast<double>(stats.device_to_device)));
    return result;
}

Napi::Value reset_copy_stats(const Napi::CallbackInfo& info) {
    lite::reset_copy_stats();
    return info.Env().Undefined();
}

Napi::Value supported_ops(const Napi::CallbackInfo& info) {
    auto names = lite::get_supported_ops();
    Napi::Array array = Napi::Array::New(info.Env(), names.size());
    for (uint32_t i = 0; i < names.size(); ++i) array.Set(i, Napi::String::New(info.Env(), names[i]));
    return array;
}

// inspectModel(bytes): what the model declares, without loading it.
Napi::Value inspect_model(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        Napi::Env env = info.Env();
        auto bytes = info[0].As<Napi::TypedArray>();
        lite::ModelInfo model = lite::inspect_model(static_cast<const uint8_t*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset(),
                                                    bytes.ByteLength());
        auto tensors = [&](const std::vector<lite::ModelInfo::Tensor>& list) {
            Napi::Array array = Napi::Array::New(env, list.size());
            for (uint32_t i = 0; i < list.size(); ++i) {
                Napi::Object entry = Napi::Object::New(env);
                entry.Set("name", list[i].name);
                entry.Set("dtype", list[i].dtype);
                Napi::Array dims = Napi::Array::New(env, list[i].dims.size());
                for (uint32_t d = 0; d < list[i].dims.size(); ++d) {
                    if (list[i].dims[d] >= 0) {
                        dims.Set(d, Napi::Number::New(env, static_cast<double>(list[i].dims[d])));
                    } else {
                        dims.Set(d, Napi::String::New(env, list[i].dim_params[d].empty() ? "?" : list[i].dim_params[d]));
                    }
                }
                entry.Set("dims", dims);
                array.Set(i, entry);
            }
            return array;
        };
        Napi::Object result = Napi::Object::New(env);
        result.Set("irVersion", Napi::Number::New(env, static_cast<double>(model.ir_version)));
        result.Set("opset", Napi::Number::New(env, static_cast<double>(model.opset)));
        result.Set("producer", model.producer);
        result.Set("inputs", tensors(model.inputs));
        result.Set("outputs", tensors(model.outputs));
        Napi::Object histogram = Napi::Object::New(env);
        for (const auto& [op, count] : model.op_histogram) histogram.Set(op, Napi::Number::New(env, count));
        result.Set("opHistogram", histogram);
        Napi::Array unsupported = Napi::Array::New(env, model.unsupported_ops.size());
        for (uint32_t i = 0; i < model.unsupported_ops.size(); ++i) unsupported.Set(i, model.unsupported_ops[i]);
        result.Set("unsupportedOps", unsupported);
        result.Set("initializerBytes", Napi::Number::New(env, static_cast<double>(model.initializer_bytes)));
        return result;
    });
}

Napi::Value register_error_class(const Napi::CallbackInfo& info) {
    set_error_class(info);
    return info.Env().Undefined();
}

}  // namespace

Napi::Object init(Napi::Env env, Napi::Object exports) {
    exports.Set("Tensor", TensorWrap::define(env));
    exports.Set("Network", NetworkWrap::define(env));
    exports.Set("inspectModel", Napi::Function::New(env, inspect_model));
    exports.Set("supportedOps", Napi::Function::New(env, supported_ops));
    exports.Set("concat", Napi::Function::New(env, concat));
    exports.Set("preprocessImage", Napi::Function::New(env, preprocess_image));
    exports.Set("canBindDirectly", Napi::Function::New(env, can_bind_directly));
    exports.Set("getDeviceCount", Napi::Function::New(env, get_device_count));
    exports.Set("getDeviceDescription", Napi::Function::New(env, get_device_description));
    exports.Set("releaseUnusedMemory", Napi::Function::New(env, release_unused_memory));
    exports.Set("setLogLevel", Napi::Function::New(env, set_log_level));
    exports.Set("getLogLevel", Napi::Function::New(env, get_log_level));
    exports.Set("getCopyStats", Napi::Function::New(env, get_copy_stats));
    exports.Set("resetCopyStats", Napi::Function::New(env, reset_copy_stats));
    exports.Set("setErrorClass", Napi::Function::New(env, register_error_class));
    exports.Set("version", Napi::String::New(env, lite::get_version_string()));
    exports.Set("backends", Napi::String::New(env, lite::get_built_backends()));
    return exports;
}

}  // namespace edgelite::binding

static Napi::Object InitEdgelite(Napi::Env env, Napi::Object exports) { return edgelite::binding::init(env, exports); }
NODE_API_MODULE(edgelite, InitEdgelite)
