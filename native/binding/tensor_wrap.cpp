#include "tensor_wrap.h"

#include "errors.h"
#include "js_memory.h"

namespace edgelite::binding {
namespace {

Napi::FunctionReference g_constructor;

std::vector<size_t> to_sizes(const Napi::Value& value) {
    Napi::Array array = value.As<Napi::Array>();
    std::vector<size_t> sizes(array.Length());
    for (uint32_t i = 0; i < array.Length(); ++i) {
        sizes[i] = static_cast<size_t>(array.Get(i).As<Napi::Number>().Int64Value());
    }
    return sizes;
}

// Bytes of a TypedArray or DataView: data pointer (materialised off the V8 heap, so it stays put) and length.
std::pair<char*, size_t> bytes_of(const Napi::Value& value) {
    if (value.IsTypedArray()) {
        auto typed = value.As<Napi::TypedArray>();
        return {static_cast<char*>(typed.ArrayBuffer().Data()) + typed.ByteOffset(), typed.ByteLength()};
    }
    auto view = value.As<Napi::DataView>();
    return {static_cast<char*>(view.ArrayBuffer().Data()) + view.ByteOffset(), view.ByteLength()};
}

}  // namespace

std::vector<size_t> to_shape(const Napi::Value& value) { return to_sizes(value); }

lite::Layout to_layout(const Napi::Value& shape, const Napi::Value& dtype) {
    return lite::Layout(to_sizes(shape), static_cast<LiteDataType>(dtype.As<Napi::Number>().Int32Value()));
}

Napi::Function TensorWrap::define(Napi::Env env) {
    Napi::Function cls = DefineClass(
            env, "Tensor",
            {
                    InstanceAccessor<&TensorWrap::device_type>("deviceType"),
                    InstanceAccessor<&TensorWrap::device_id>("deviceId"),
                    InstanceAccessor<&TensorWrap::is_pinned_host>("isPinnedHost"),
                    InstanceAccessor<&TensorWrap::is_continue>("isContinue"),
                    InstanceAccessor<&TensorWrap::is_view>("isView"),
                    InstanceAccessor<&TensorWrap::nbytes>("nbytes"),
                    InstanceMethod<&TensorWrap::layout>("layout"),
                    InstanceMethod<&TensorWrap::set_layout>("setLayout"),
                    InstanceMethod<&TensorWrap::fill_zero>("fillZero"),
                    InstanceMethod<&TensorWrap::share_memory_with>("shareMemoryWith"),
                    InstanceMethod<&TensorWrap::copy_from>("copyFrom"),
                    InstanceMethod<&TensorWrap::reshape>("reshape"),
                    InstanceMethod<&TensorWrap::slice>("slice"),
                    InstanceMethod<&TensorWrap::set_data_by_share>("setDataByShare"),
                    InstanceMethod<&TensorWrap::set_data_by_copy>("setDataByCopy"),
                    InstanceMethod<&TensorWrap::copy_to>("copyTo"),
                    InstanceMethod<&TensorWrap::host_view>("hostView"),
                    InstanceMethod<&TensorWrap::same_memory>("sameMemory"),
            });
    g_constructor = Napi::Persistent(cls);
    return cls;
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
    release_pending_anchors();
    if (info.Length() == 1 && info[0].IsExternal()) {  // from wrap()
        m_tensor = *info[0].As<Napi::External<std::shared_ptr<lite::Tensor>>>().Data();
        return;
    }
    guarded(info.Env(), [&] {
        auto device = static_cast<LiteDeviceType>(info[0].As<Napi::Number>().Int32Value());
        int device_id = info[1].As<Napi::Number>().Int32Value();
        m_tensor = std::make_shared<lite::Tensor>(device_id, device, to_layout(info[2], info[3]),
                                                  info[4].As<Napi::Boolean>().Value());
        return info.Env().Undefined();
    });
}

Napi::Object TensorWrap::wrap(Napi::Env env, std::shared_ptr<lite::Tensor> tensor) {
    std::shared_ptr<lite::Tensor> holder = std::move(tensor);
    return g_constructor.New({Napi::External<std::shared_ptr<lite::Tensor>>::New(env, &holder)});
}

std::shared_ptr<lite::Tensor> TensorWrap::unwrap(const Napi::Value& value) {
    if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(g_constructor.Value())) {
        throw_error(value.Env(), "INVALID_ARGUMENT", "expected a LiteTensor");
    }
    return Unwrap(value.As<Napi::Object>())->m_tensor;
}

Napi::Value TensorWrap::device_type(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), m_tensor->get_device_type());
}
Napi::Value TensorWrap::device_id(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), m_tensor->get_device_id());
}
Napi::Value TensorWrap::is_pinned_host(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), m_tensor->is_pinned_host());
}
Napi::Value TensorWrap::is_continue(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), m_tensor->is_continue_memory());
}
Napi::Value TensorWrap::is_view(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), m_tensor->is_view());
}
Napi::Value TensorWrap::nbytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(m_tensor->get_tensor_total_size_in_byte()));
}

Napi::Value TensorWrap::layout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    lite::Layout layout = m_tensor->get_layout();
    Napi::Array shape = Napi::Array::New(env, layout.ndim);
    for (uint32_t i = 0; i < layout.ndim; ++i) shape.Set(i, Napi::Number::New(env, static_cast<double>(layout.shapes[i])));
    Napi::Object result = Napi::Object::New(env);
    result.Set("shape", shape);
    result.Set("dtype", Napi::Number::New(env, layout.data_type));
    return result;
}

Napi::Value TensorWrap::set_layout(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_tensor->set_layout(to_layout(info[0], info[1]));
        return info.Env().Undefined();
    });
}

Napi::Value TensorWrap::fill_zero(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_tensor->fill_zero();
        return info.Env().Undefined();
    });
}

Napi::Value TensorWrap::share_memory_with(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_tensor->share_memory_with(*unwrap(info[0]));
        return info.Env().Undefined();
    });
}

Napi::Value TensorWrap::copy_from(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_tensor->copy_from(*unwrap(info[0]));
        return info.Env().Undefined();
    });
}

Napi::Value TensorWrap::reshape(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        Napi::Array array = info[0].As<Napi::Array>();
        std::vector<int> shape(array.Length());
        for (uint32_t i = 0; i < array.Length(); ++i) shape[i] = array.Get(i).As<Napi::Number>().Int32Value();
        m_tensor->reshape(shape);
        return info.Env().Undefined();
    });
}

Napi::Value TensorWrap::slice(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        auto view = m_tensor->slice(to_sizes(info[0]), to_sizes(info[1]), to_sizes(info[2]));
        return wrap(info.Env(), std::move(view));
    });
}

// setDataByShare(array, shape, dtype): the tensor takes the layout and uses the array's memory in place.
Napi::Value TensorWrap::set_data_by_share(const Napi::CallbackInfo& info) {
    release_pending_anchors();
    return guarded(info.Env(), [&] {
        auto [data, length] = bytes_of(info[0]);
        lite::Layout layout = to_layout(info[1], info[2]);
        if (length < layout.get_size_in_bytes()) {
            throw_error(info.Env(), "SHAPE_MISMATCH", "the array has " + std::to_string(length) + " bytes, layout " +
                                                          layout.to_string() + " needs " +
                                                          std::to_string(layout.get_size_in_bytes()));
        }
        m_tensor->reset(data, layout, anchor_js_memory(info.Env(), info[0].As<Napi::Object>()));
        return info.Env().Undefined();
    });
}

// setDataByCopy(array, shape?, dtype?): copies the array's bytes in, taking the layout when one is given.
Napi::Value TensorWrap::set_data_by_copy(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        auto [data, length] = bytes_of(info[0]);
        lite::Layout layout = info[1].IsUndefined() ? m_tensor->get_layout() : to_layout(info[1], info[2]);
        if (length != layout.get_size_in_bytes()) {
            throw_error(info.Env(), "SHAPE_MISMATCH", "the data has " + std::to_string(length) + " bytes, layout " +
                                                          layout.to_string() + " needs " +
                                                          std::to_string(layout.get_size_in_bytes()));
        }
        lite::Tensor source(LITE_CPU, layout);
        source.reset(data, layout);
        m_tensor->copy_from(source);
        return info.Env().Undefined();
    });
}

// copyTo(array): the elements, densely packed, into the array's bytes.
Napi::Value TensorWrap::copy_to(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        auto [data, length] = bytes_of(info[0]);
        m_tensor->copy_to_host(data, length);
        return info.Env().Undefined();
    });
}

Napi::Value TensorWrap::host_view(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] { return binding::host_view(info.Env(), *m_tensor); });
}

Napi::Value TensorWrap::same_memory(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        auto other = unwrap(info[0]);
        bool same = m_tensor->get_storage_id() && m_tensor->get_storage_id() == other->get_storage_id();
        return Napi::Boolean::New(info.Env(), same);
    });
}

}  // namespace edgelite::binding
