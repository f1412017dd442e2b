// The raw Network class seen by sdk/src/native.ts: marshalling over lite::Network, forwardAsync off the JS thread
// (Napi::AsyncWorker: Execute never touches JS, the promise settles on the JS thread; the forward itself runs on
// the network's own RunThread).
#pragma once

#include <napi.h>

#include <memory>

#include "lite/network.h"
#include "run_thread.h"

namespace edgelite::binding {

class NetworkWrap : public Napi::ObjectWrap<NetworkWrap> {
public:
    static Napi::Function define(Napi::Env env);
    //! new Network(config, io): plain objects validated by the SDK.
    explicit NetworkWrap(const Napi::CallbackInfo& info);

private:
    Napi::Value load(const Napi::CallbackInfo& info);
    Napi::Value forward(const Napi::CallbackInfo& info);
    Napi::Value forward_async(const Napi::CallbackInfo& info);
    Napi::Value wait(const Napi::CallbackInfo& info);
    Napi::Value io_tensor(const Napi::CallbackInfo& info);
    Napi::Value input_tensor(const Napi::CallbackInfo& info);
    Napi::Value output_tensor(const Napi::CallbackInfo& info);
    Napi::Value input_names(const Napi::CallbackInfo& info);
    Napi::Value output_names(const Napi::CallbackInfo& info);
    Napi::Value threads(const Napi::CallbackInfo& info);
    Napi::Value set_threads(const Napi::CallbackInfo& info);
    Napi::Value memory_info(const Napi::CallbackInfo& info);
    Napi::Value graph_summary(const Napi::CallbackInfo& info);
    Napi::Value share_weights_with(const Napi::CallbackInfo& info);
    Napi::Value share_runtime_memory_with(const Napi::CallbackInfo& info);
    Napi::Value enable_cpu_inplace_mode(const Napi::CallbackInfo& info);
    Napi::Value is_cpu_inplace_mode(const Napi::CallbackInfo& info);
    Napi::Value device_id(const Napi::CallbackInfo& info);
    Napi::Value set_device_id(const Napi::CallbackInfo& info);
    Napi::Value stream_id(const Napi::CallbackInfo& info);
    Napi::Value set_stream_id(const Napi::CallbackInfo& info);
    Napi::Value enable_profile_performance(const Napi::CallbackInfo& info);
    static Napi::Value model_io_info(const Napi::CallbackInfo& info);
    static NetworkWrap* unwrap(const Napi::Value& value);

    std::shared_ptr<lite::Network> m_network;
    std::shared_ptr<RunThread> m_run_thread = std::make_shared<RunThread>();  // runs forwardAsync (run_thread.h)
};

}  // namespace edgelite::binding
