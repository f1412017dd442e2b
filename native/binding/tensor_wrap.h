// The raw Tensor class seen by sdk/src/native.ts: argument marshalling over lite::Tensor, nothing more.
// Arguments are validated in TypeScript (sdk/src/tensor.ts); the C++ core re-checks what it relies on.
#pragma once

#include <napi.h>

#include <memory>

#include "lite/tensor.h"

namespace edgelite::binding {

class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
public:
    static Napi::Function define(Napi::Env env);
    //! A JS object for an existing tensor (slice and concat results).
    static Napi::Object wrap(Napi::Env env, std::shared_ptr<lite::Tensor> tensor);
    //! The tensor behind a JS object, or a thrown INVALID_ARGUMENT if it is not one.
    static std::shared_ptr<lite::Tensor> unwrap(const Napi::Value& value);

    //! new Tensor(deviceType, deviceId, shape, dtype, pinned)
    explicit TensorWrap(const Napi::CallbackInfo& info);

private:
    Napi::Value device_type(const Napi::CallbackInfo& info);
    Napi::Value device_id(const Napi::CallbackInfo& info);
    Napi::Value is_pinned_host(const Napi::CallbackInfo& info);
    Napi::Value is_continue(const Napi::CallbackInfo& info);
    Napi::Value is_view(const Napi::CallbackInfo& info);
    Napi::Value nbytes(const Napi::CallbackInfo& info);
    Napi::Value layout(const Napi::CallbackInfo& info);
    Napi::Value set_layout(const Napi::CallbackInfo& info);
    Napi::Value fill_zero(const Napi::CallbackInfo& info);
    Napi::Value share_memory_with(const Napi::CallbackInfo& info);
    Napi::Value copy_from(const Napi::CallbackInfo& info);
    Napi::Value reshape(const Napi::CallbackInfo& info);
    Napi::Value slice(const Napi::CallbackInfo& info);
    Napi::Value set_data_by_share(const Napi::CallbackInfo& info);
    Napi::Value set_data_by_copy(const Napi::CallbackInfo& info);
    Napi::Value copy_to(const Napi::CallbackInfo& info);
    Napi::Value host_view(const Napi::CallbackInfo& info);
    Napi::Value same_memory(const Napi::CallbackInfo& info);

    std::shared_ptr<lite::Tensor> m_tensor;
};

//! Marshalling helpers shared by the binding's files.
std::vector<size_t> to_shape(const Napi::Value& value);
lite::Layout to_layout(const Napi::Value& shape, const Napi::Value& dtype);

}  // namespace edgelite::binding
