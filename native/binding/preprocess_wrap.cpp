#include "preprocess_wrap.h"

#include <string>

#include "errors.h"
#include "lite/preprocess.h"
#include "tensor_wrap.h"

namespace edgelite::binding {
namespace {

// The string forms of the SDK (ImageFormat.pixel, PreprocessOptions) and their enum values.
template <typename Enum, size_t N>
Enum from_name(const Napi::Object& object, const char* key, const std::pair<const char*, Enum> (&names)[N]) {
    Napi::Value value = object.Get(key);
    std::string name = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
    for (const auto& [candidate, e] : names) {
        if (name == candidate) return e;
    }
    throw_error(object.Env(), "INVALID_ARGUMENT", std::string("unknown ") + key + " '" + name + "'");
}

const std::pair<const char*, lite::PixelFormat> kPixels[] = {
        {"rgb24", lite::PixelFormat::RGB24},     {"bgr24", lite::PixelFormat::BGR24}, {"gray8", lite::PixelFormat::GRAY8},
        {"yuyv422", lite::PixelFormat::YUYV422}, {"nv12", lite::PixelFormat::NV12}};
const std::pair<const char*, lite::ImageLayout> kLayouts[] = {{"nchw", lite::ImageLayout::NCHW},
                                                              {"nhwc", lite::ImageLayout::NHWC}};
const std::pair<const char*, lite::ChannelOrder> kOrders[] = {
        {"rgb", lite::ChannelOrder::RGB}, {"bgr", lite::ChannelOrder::BGR}, {"gray", lite::ChannelOrder::GRAY}};
const std::pair<const char*, lite::ResizeMode> kResizes[] = {{"nearest", lite::ResizeMode::NEAREST},
                                                             {"bilinear", lite::ResizeMode::BILINEAR}};

size_t to_size(const Napi::Object& object, const char* key) {
    Napi::Value value = object.Get(key);
    double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
    if (!(number >= 0 && number <= static_cast<double>(lite::kMaxImageSide))) {
        throw_error(object.Env(), "INVALID_ARGUMENT", std::string("spec.") + key + " must be 0.." +
                                                              std::to_string(lite::kMaxImageSide));
    }
    return static_cast<size_t>(number);
}

Napi::Object to_object(const Napi::Value& value, const char* what) {
    if (!value.IsObject()) throw_error(value.Env(), "INVALID_ARGUMENT", std::string(what) + " must be an object");
    return value.As<Napi::Object>();
}

lite::ImageSpec to_spec(const Napi::Value& value) {
    Napi::Object object = to_object(value, "spec");
    return {to_size(object, "width"), to_size(object, "height"), from_name(object, "pixel", kPixels)};
}

void to_floats(const Napi::Object& object, const char* key, float (&out)[3]) {
    Napi::Value value = object.Get(key);
    if (!value.IsArray() || value.As<Napi::Array>().Length() != 3) {
        throw_error(object.Env(), "INVALID_ARGUMENT", std::string("options.") + key + " must be an array of 3 numbers");
    }
    Napi::Array array = value.As<Napi::Array>();
    for (uint32_t i = 0; i < 3; ++i) {
        Napi::Value element = array.Get(i);
        if (!element.IsNumber()) {
            throw_error(object.Env(), "INVALID_ARGUMENT", std::string("options.") + key + " must be an array of 3 numbers");
        }
        out[i] = element.As<Napi::Number>().FloatValue();
    }
}

lite::PreprocessOptions to_options(const Napi::Value& value) {
    Napi::Object object = to_object(value, "options");
    lite::PreprocessOptions options;
    options.layout = from_name(object, "layout", kLayouts);
    options.order = from_name(object, "order", kOrders);
    options.resize = from_name(object, "resize", kResizes);
    to_floats(object, "mean", options.mean);
    to_floats(object, "scale", options.scale);
    return options;
}

}  // namespace

Napi::Value preprocess_image(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
            throw_error(info.Env(), "INVALID_ARGUMENT", "the frame must be a Uint8Array");
        }
        auto frame = info[0].As<Napi::Uint8Array>();
        lite::ImageSpec spec = to_spec(info[1]);
        auto tensor = TensorWrap::unwrap(info[2]);
        lite::PreprocessOptions options = to_options(info[3]);
        // Synchronous: the frame and tensor stay referenced by this call's arguments while the core runs.
        lite::preprocess_image(frame.Data(), frame.ByteLength(), spec, *tensor, options);
        return info.Env().Undefined();
    });
}

Napi::Value can_bind_directly(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        lite::ImageSpec spec = to_spec(info[0]);
        auto tensor = TensorWrap::unwrap(info[1]);
        return Napi::Boolean::New(info.Env(), lite::can_bind_directly(spec, *tensor, to_options(info[2])));
    });
}

}  // namespace edgelite::binding
