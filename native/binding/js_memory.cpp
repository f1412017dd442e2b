#include "js_memory.h"

#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace edgelite::binding {
namespace {

struct JsAnchor {
    napi_env env;
    napi_ref ref;
    const char* base;  // data pointer of the anchored array when it was anchored
};

std::thread::id g_js_thread = std::this_thread::get_id();
std::mutex g_pending_mutex;
std::vector<JsAnchor*> g_pending;
// Live anchors by address, so host_view can find the JS array behind caller memory. JS thread only.
std::unordered_map<const void*, JsAnchor*> g_live;

void release(JsAnchor* anchor) {
    g_live.erase(anchor);
    napi_delete_reference(anchor->env, anchor->ref);
    delete anchor;
}

}  // namespace

void release_pending_anchors() {
    std::vector<JsAnchor*> pending;
    {
        std::lock_guard<std::mutex> lock(g_pending_mutex);
        pending.swap(g_pending);
    }
    for (JsAnchor* anchor : pending) release(anchor);
}

std::shared_ptr<void> anchor_js_memory(Napi::Env env, const Napi::Object& array) {
    g_js_thread = std::this_thread::get_id();
    const char* base = nullptr;
    if (array.IsTypedArray()) {
        auto typed = array.As<Napi::TypedArray>();
        base = static_cast<const char*>(typed.ArrayBuffer().Data()) + typed.ByteOffset();
    } else {
        auto view = array.As<Napi::DataView>();
        base = static_cast<const char*>(view.ArrayBuffer().Data()) + view.ByteOffset();
    }
    napi_ref ref = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_create_reference(env, array, 1, &ref), nullptr);
    auto* anchor = new JsAnchor{env, ref, base};
    g_live[anchor] = anchor;
    return std::shared_ptr<void>(anchor, [](void* raw) {
        auto* dropped = static_cast<JsAnchor*>(raw);
        if (std::this_thread::get_id() == g_js_thread) {
            release(dropped);
        } else {
            std::lock_guard<std::mutex> lock(g_pending_mutex);
            g_pending.push_back(dropped);
        }
    });
}

Napi::Value host_view(Napi::Env env, const lite::Tensor& tensor) {
    if (!tensor.is_host_accessible()) return env.Undefined();
    auto* first = static_cast<char*>(tensor.get_memory_ptr());
    Napi::Object result = Napi::Object::New(env);
    std::shared_ptr<void> owner = tensor.get_memory_owner();
    auto live = owner ? g_live.find(owner.get()) : g_live.end();
    if (live != g_live.end()) {
        JsAnchor* anchor = live->second;
        napi_value value = nullptr;
        NAPI_THROW_IF_FAILED(env, napi_get_reference_value(env, anchor->ref, &value), Napi::Value());
        Napi::Object array(env, value);
        size_t offset = array.IsTypedArray() ? array.As<Napi::TypedArray>().ByteOffset()
                                             : array.As<Napi::DataView>().ByteOffset();
        Napi::ArrayBuffer buffer = array.IsTypedArray() ? array.As<Napi::TypedArray>().ArrayBuffer()
                                                        : array.As<Napi::DataView>().ArrayBuffer();
        result.Set("buffer", buffer);
        result.Set("byteOffset", Napi::Number::New(env, static_cast<double>(offset + (first - anchor->base))));
        return result;
    }
    // Native memory: an external ArrayBuffer over the whole allocation that holds the storage alive.
    auto storage = tensor.get_storage();
    char* base = first - tensor.get_storage_offset();
    size_t bytes = tensor.get_storage_offset() + tensor.get_tensor_total_size_in_byte();
    auto* keep = new std::shared_ptr<lite::Storage>(std::move(storage));
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
            env, base, bytes, [](Napi::Env, void*, std::shared_ptr<lite::Storage>* hint) { delete hint; }, keep);
    result.Set("buffer", buffer);
    result.Set("byteOffset", Napi::Number::New(env, static_cast<double>(first - base)));
    return result;
}

}  // namespace edgelite::binding
