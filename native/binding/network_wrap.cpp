#include "network_wrap.h"

#include <condition_variable>
#include <mutex>

#include "errors.h"
#include "js_memory.h"
#include "lite/error.h"
#include "run_thread.h"
#include "tensor_wrap.h"

namespace edgelite::binding {
namespace {

bool get_bool(const Napi::Object& object, const char* key, bool fallback) {
    Napi::Value value = object.Get(key);
    return value.IsBoolean() ? value.As<Napi::Boolean>().Value() : fallback;
}

int get_int(const Napi::Object& object, const char* key, int fallback) {
    Napi::Value value = object.Get(key);
    return value.IsNumber() ? value.As<Napi::Number>().Int32Value() : fallback;
}

lite::Config to_config(const Napi::Value& value) {
    lite::Config config;
    if (!value.IsObject()) return config;
    Napi::Object object = value.As<Napi::Object>();
    config.device_type = static_cast<LiteDeviceType>(get_int(object, "deviceType", LITE_CPU));
    config.device_id = get_int(object, "deviceId", 0);
    Napi::Value options = object.Get("options");
    if (options.IsObject()) {
        Napi::Object o = options.As<Napi::Object>();
        lite::Options& out = config.options;
        out.weight_preprocess = get_bool(o, "weightPreprocess", out.weight_preprocess);
        out.fuse_preprocess = get_bool(o, "fusePreprocess", out.fuse_preprocess);
        out.fake_next_exec = get_bool(o, "fakeNextExec", out.fake_next_exec);
        out.var_sanity_check_first_run = get_bool(o, "varSanityCheckFirstRun", out.var_sanity_check_first_run);
        out.const_shape = get_bool(o, "constShape", out.const_shape);
        out.force_dynamic_alloc = get_bool(o, "forceDynamicAlloc", out.force_dynamic_alloc);
        out.force_output_dynamic_alloc = get_bool(o, "forceOutputDynamicAlloc", out.force_output_dynamic_alloc);
        out.force_output_use_user_specified_memory =
                get_bool(o, "forceOutputUseUserSpecifiedMemory", out.force_output_use_user_specified_memory);
        out.no_profiling_on_shape_change = get_bool(o, "noProfilingOnShapeChange", out.no_profiling_on_shape_change);
        out.jit_level = static_cast<uint8_t>(get_int(o, "jitLevel", out.jit_level));
        out.comp_node_seq_record_level = static_cast<uint8_t>(get_int(o, "compNodeSeqRecordLevel", out.comp_node_seq_record_level));
        out.graph_opt_level = static_cast<uint8_t>(get_int(o, "graphOptLevel", out.graph_opt_level));
        out.async_exec_level = static_cast<uint16_t>(get_int(o, "asyncExecLevel", out.async_exec_level));
    }
    return config;
}

std::vector<lite::IO> to_io_list(const Napi::Value& value) {
    std::vector<lite::IO> list;
    if (!value.IsArray()) return list;
    Napi::Array array = value.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) {
        Napi::Object entry = array.Get(i).As<Napi::Object>();
        lite::IO io(entry.Get("name").As<Napi::String>().Utf8Value(), get_bool(entry, "isHost", true),
                    static_cast<LiteIOType>(get_int(entry, "ioType", LITE_IO_VALUE)));
        Napi::Value layout = entry.Get("layout");
        if (layout.IsObject()) {
            Napi::Object l = layout.As<Napi::Object>();
            io.config_layout = to_layout(l.Get("shape"), l.Get("dtype"));
        }
        list.push_back(io);
    }
    return list;
}

Napi::Array to_js_strings(Napi::Env env, const std::vector<std::string>& names) {
    Napi::Array array = Napi::Array::New(env, names.size());
    for (uint32_t i = 0; i < names.size(); ++i) array.Set(i, Napi::String::New(env, names[i]));
    return array;
}

// One forwardAsync() call: queued on the network's RunThread, which runs the forward and hands the call back to
// the JS thread through a thread-safe function that settles the promise there. The call owns what must outlive
// the run (the network, its RunThread) and is deleted on the JS thread, so that a RunThread is never destroyed
// (joined) by its own thread.
//
// An environment torn down while the run is in flight (a worker_threads Worker terminated, the process exiting)
// frees its thread-safe functions; a cleanup hook registered after the function's own (hooks run in reverse)
// waits for the run to be handed over first, so that the RunThread never calls a freed function. The call is
// then deleted by the function's finalization (settle with a null env).
struct ForwardCall {
    std::shared_ptr<lite::Network> network;
    std::shared_ptr<RunThread> run_thread;
    Napi::Promise::Deferred deferred;
    std::string code, message;  // empty code: the run succeeded

    // Set by the RunThread once it no longer touches the thread-safe function.
    struct HandOver {
        std::mutex mutex;
        std::condition_variable done;
        bool finished = false;
    };
    std::shared_ptr<HandOver> hand_over = std::make_shared<HandOver>();

    static void wait_for_hand_over(void* arg) {
        const std::shared_ptr<HandOver> hand_over = static_cast<ForwardCall*>(arg)->hand_over;
        std::unique_lock<std::mutex> lock(hand_over->mutex);
        hand_over->done.wait(lock, [&] { return hand_over->finished; });
    }

    static void settle(Napi::Env env, Napi::Function /*unused*/, std::nullptr_t* /*context*/, ForwardCall* call) {
        std::unique_ptr<ForwardCall> owned(call);
        if (env == nullptr) return;  // the environment is going away: nobody waits for the promise
        napi_remove_env_cleanup_hook(env, &ForwardCall::wait_for_hand_over, call);
        if (owned->code.empty()) {
            owned->deferred.Resolve(env.Undefined());
            return;
        }
        try {
            throw_error(env, owned->code.c_str(), owned->message);
        } catch (const Napi::Error& lite_error) {
            owned->deferred.Reject(lite_error.Value());
        }
    }
    using Settler = Napi::TypedThreadSafeFunction<std::nullptr_t, ForwardCall, &ForwardCall::settle>;

    // On the RunThread. After the hand-over the JS thread may delete this call at any moment: only locals are used.
    void run(Settler settler) {
        try {
            network->forward();
            network->wait();
        } catch (const lite::Error& e) {
            code = e.code_name();
            message = e.what();
        } catch (const std::exception& e) {
            code = "INTERNAL";
            message = std::string("internal error, please report it: ") + e.what();
        }
        const std::shared_ptr<HandOver> done = hand_over;
        settler.NonBlockingCall(this);  // napi_closing while the environment goes away: finalization deletes it
        settler.Release();
        {
            std::lock_guard<std::mutex> lock(done->mutex);
            done->finished = true;
        }
        done->done.notify_all();
    }
};

}  // namespace

namespace {
Napi::FunctionReference g_network_constructor;
}

Napi::Function NetworkWrap::define(Napi::Env env) {
    Napi::Function cls = DefineClass(env, "Network",
                       {
                               InstanceMethod<&NetworkWrap::load>("load"),
                               InstanceMethod<&NetworkWrap::forward>("forward"),
                               InstanceMethod<&NetworkWrap::forward_async>("forwardAsync"),
                               InstanceMethod<&NetworkWrap::wait>("wait"),
                               InstanceMethod<&NetworkWrap::io_tensor>("getIoTensor"),
                               InstanceMethod<&NetworkWrap::input_tensor>("getInputTensor"),
                               InstanceMethod<&NetworkWrap::output_tensor>("getOutputTensor"),
                               InstanceMethod<&NetworkWrap::input_names>("inputNames"),
                               InstanceMethod<&NetworkWrap::output_names>("outputNames"),
                               InstanceMethod<&NetworkWrap::threads>("getThreadsNumber"),
                               InstanceMethod<&NetworkWrap::set_threads>("setThreadsNumber"),
                               InstanceMethod<&NetworkWrap::memory_info>("getStaticMemoryAllocInfo"),
                               InstanceMethod<&NetworkWrap::graph_summary>("graphSummary"),
                               InstanceMethod<&NetworkWrap::share_weights_with>("shareWeightsWith"),
                               InstanceMethod<&NetworkWrap::share_runtime_memory_with>("shareRuntimeMemoryWith"),
                               InstanceMethod<&NetworkWrap::enable_cpu_inplace_mode>("enableCpuInplaceMode"),
                               InstanceMethod<&NetworkWrap::is_cpu_inplace_mode>("isCpuInplaceMode"),
                               InstanceMethod<&NetworkWrap::device_id>("getDeviceId"),
                               InstanceMethod<&NetworkWrap::set_device_id>("setDeviceId"),
                               InstanceMethod<&NetworkWrap::stream_id>("getStreamId"),
                               InstanceMethod<&NetworkWrap::set_stream_id>("setStreamId"),
                               InstanceMethod<&NetworkWrap::enable_profile_performance>("enableProfilePerformance"),
                               StaticMethod<&NetworkWrap::model_io_info>("getModelIoInfo"),
                       });
    g_network_constructor = Napi::Persistent(cls);
    return cls;
}

NetworkWrap::NetworkWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetworkWrap>(info) {
    guarded(info.Env(), [&] {
        lite::NetworkIO io;
        if (info[1].IsObject()) {
            Napi::Object object = info[1].As<Napi::Object>();
            io.inputs = to_io_list(object.Get("inputs"));
            io.outputs = to_io_list(object.Get("outputs"));
        }
        m_network = std::make_shared<lite::Network>(to_config(info[0]), io);
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::load(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        if (info[0].IsString()) {
            m_network->load_model(info[0].As<Napi::String>().Utf8Value());
        } else {
            auto bytes = info[0].As<Napi::TypedArray>();
            m_network->load_model(static_cast<const uint8_t*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset(), bytes.ByteLength());
        }
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::forward(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->forward();
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::forward_async(const Napi::CallbackInfo& info) {
    release_pending_anchors();
    Napi::Env env = info.Env();
    auto* call = new ForwardCall{m_network, m_run_thread, Napi::Promise::Deferred::New(env), {}, {}};
    Napi::Promise promise = call->deferred.Promise();
    // Keeps the event loop alive until the call is settled, as a pending libuv job would.
    ForwardCall::Settler settler = ForwardCall::Settler::New(env, "edgelite.forwardAsync", 0, 1);
    napi_add_env_cleanup_hook(env, &ForwardCall::wait_for_hand_over, call);  // after the settler's own hook
    m_run_thread->post([call, settler] { call->run(settler); });
    return promise;
}

Napi::Value NetworkWrap::wait(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->wait();
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::io_tensor(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        auto phase = static_cast<LiteTensorPhase>(info[1].As<Napi::Number>().Int32Value());
        return TensorWrap::wrap(info.Env(), m_network->get_io_tensor(info[0].As<Napi::String>().Utf8Value(), phase));
    });
}

Napi::Value NetworkWrap::input_tensor(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        return TensorWrap::wrap(info.Env(), m_network->get_input_tensor(info[0].As<Napi::Number>().Uint32Value()));
    });
}

Napi::Value NetworkWrap::output_tensor(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        return TensorWrap::wrap(info.Env(), m_network->get_output_tensor(info[0].As<Napi::Number>().Uint32Value()));
    });
}

Napi::Value NetworkWrap::input_names(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value { return to_js_strings(info.Env(), m_network->get_all_input_name()); });
}

Napi::Value NetworkWrap::output_names(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value { return to_js_strings(info.Env(), m_network->get_all_output_name()); });
}

Napi::Value NetworkWrap::threads(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), m_network->get_threads_number());
}

Napi::Value NetworkWrap::set_threads(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->set_threads_number(info[0].As<Napi::Number>().Int32Value());
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::memory_info(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        Napi::Env env = info.Env();
        lite::MemoryPlanInfo plan = m_network->get_static_memory_alloc_info();
        Napi::Object result = Napi::Object::New(env);
        result.Set("arenaBytes", Napi::Number::New(env, static_cast<double>(plan.arena_bytes)));
        result.Set("weightBytes", Napi::Number::New(env, static_cast<double>(plan.weight_bytes)));
        result.Set("ioBytes", Napi::Number::New(env, static_cast<double>(plan.io_bytes)));
        result.Set("dynamicValues", Napi::Number::New(env, static_cast<double>(plan.dynamic_values)));
        result.Set("sharedWeightBytes", Napi::Number::New(env, static_cast<double>(plan.shared_weight_bytes)));
        result.Set("arenaShared", Napi::Boolean::New(env, plan.arena_shared));
        Napi::Array entries = Napi::Array::New(env, plan.entries.size());
        for (uint32_t i = 0; i < plan.entries.size(); ++i) {
            Napi::Object entry = Napi::Object::New(env);
            entry.Set("name", plan.entries[i].name);
            entry.Set("offset", Napi::Number::New(env, static_cast<double>(plan.entries[i].offset)));
            entry.Set("bytes", Napi::Number::New(env, static_cast<double>(plan.entries[i].bytes)));
            entry.Set("inPlace", Napi::Boolean::New(env, plan.entries[i].in_place));
            entries.Set(i, entry);
        }
        result.Set("tensors", entries);
        return result;
    });
}

Napi::Value NetworkWrap::graph_summary(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value { return Napi::String::New(info.Env(), m_network->get_graph_summary()); });
}

}  // namespace edgelite::binding

namespace edgelite::binding {

NetworkWrap* NetworkWrap::unwrap(const Napi::Value& value) {
    if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(g_network_constructor.Value())) {
        throw_error(value.Env(), "INVALID_ARGUMENT", "expected a LiteNetwork");
    }
    return Unwrap(value.As<Napi::Object>());
}

Napi::Value NetworkWrap::share_weights_with(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->share_weights_with(*unwrap(info[0])->m_network);
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::share_runtime_memory_with(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->share_runtime_memory_with(*unwrap(info[0])->m_network);
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::enable_cpu_inplace_mode(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->enable_cpu_inplace_mode();
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::is_cpu_inplace_mode(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), m_network->is_cpu_inplace_mode());
}

Napi::Value NetworkWrap::device_id(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), m_network->get_device_id());
}

Napi::Value NetworkWrap::set_device_id(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->set_device_id(info[0].As<Napi::Number>().Int32Value());
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::stream_id(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), m_network->get_stream_id());
}

Napi::Value NetworkWrap::set_stream_id(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->set_stream_id(info[0].As<Napi::Number>().Int32Value());
        return info.Env().Undefined();
    });
}

Napi::Value NetworkWrap::enable_profile_performance(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
        m_network->enable_profile_performance(info[0].As<Napi::String>().Utf8Value());
        return info.Env().Undefined();
    });
}

// getModelIoInfo(bytes) -> { inputs: [{ name, shape, dtype }], outputs: [...] }
Napi::Value NetworkWrap::model_io_info(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
        Napi::Env env = info.Env();
        auto bytes = info[0].As<Napi::TypedArray>();
        lite::NetworkIO io = lite::Network::get_model_io_info(
                static_cast<const uint8_t*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset(), bytes.ByteLength());
        auto list = [&](const std::vector<lite::IO>& entries) {
            Napi::Array array = Napi::Array::New(env, entries.size());
            for (uint32_t i = 0; i < entries.size(); ++i) {
                Napi::Object entry = Napi::Object::New(env);
                entry.Set("name", entries[i].name);
                const lite::Layout& layout = entries[i].config_layout;
                Napi::Array shape = Napi::Array::New(env, layout.ndim);
                for (uint32_t d = 0; d < layout.ndim; ++d) shape.Set(d, Napi::Number::New(env, static_cast<double>(layout.shapes[d])));
                entry.Set("shape", shape);
                entry.Set("dtype", Napi::Number::New(env, layout.data_type));
                array.Set(i, entry);
            }
            return array;
        };
        Napi::Object result = Napi::Object::New(env);
        result.Set("inputs", list(io.inputs));
        result.Set("outputs", list(io.outputs));
        return result;
    });
}

}  // namespace edgelite::binding
