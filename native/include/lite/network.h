// lite::Network: loads an ONNX model, plans shapes and memory once, and runs it. lite::Config and lite::IO
// describe how, as in MegEngine Lite.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <string>
#include <vector>

#include "lite/common.h"
#include "lite/layout.h"
#include "lite/tensor.h"

namespace lite {

//! Options of a network, with MegEngine Lite's names and defaults. Fields that this build does not act on
//! yet are accepted and kept (documented in README.md, "Options").
struct Options {
    bool weight_preprocess = false;
    bool fuse_preprocess = false;
    bool fake_next_exec = false;
    bool var_sanity_check_first_run = true;
    bool const_shape = false;
    bool force_dynamic_alloc = false;
    bool force_output_dynamic_alloc = false;
    //! Outputs are written straight into memory the user gave with reset/setDataByShare.
    bool force_output_use_user_specified_memory = false;
    bool no_profiling_on_shape_change = false;
    uint8_t jit_level = 0;
    uint8_t comp_node_seq_record_level = 0;
    uint8_t graph_opt_level = 2;
    uint16_t async_exec_level = 1;
};

struct Config {
    bool has_compression = false;
    int device_id = 0;
    LiteDeviceType device_type = LITE_CPU;
    std::string bare_model_cryption_name;
    Options options;

    Config() = default;
    explicit Config(LiteDeviceType device, int id = 0) : device_id(id), device_type(device) {}
};

//! How one input or output is served: on the host or on the device, its value or only its shape.
struct IO {
    std::string name;
    bool is_host = true;
    LiteIOType io_type = LITE_IO_VALUE;
    //! For inputs: the layout to plan with (an empty layout means the model's).
    Layout config_layout;

    IO() = default;
    IO(std::string io_name, bool host = true, LiteIOType type = LITE_IO_VALUE, Layout layout = {})
            : name(std::move(io_name)), is_host(host), io_type(type), config_layout(layout) {}
};

struct NetworkIO {
    std::vector<IO> inputs;
    std::vector<IO> outputs;
};

//! Where the static memory plan put things; known after load, before any run.
struct MemoryPlanInfo {
    struct Entry {
        std::string name;
        size_t offset = 0;  //!< bytes from the start of the arena
        size_t bytes = 0;
        bool in_place = false;  //!< shares the memory of an input of the node that produces it
    };
    size_t arena_bytes = 0;   //!< the activation arena
    size_t weight_bytes = 0;  //!< constants (initializers and folded subgraphs)
    size_t io_bytes = 0;      //!< input and output tensors
    std::vector<Entry> entries;
    size_t dynamic_values = 0;  //!< values whose shape is only known at run time (allocated per run)
    size_t shared_weight_bytes = 0;  //!< weight bytes that are the same memory as another network's (share_weights_with)
    bool arena_shared = false;       //!< the arena is shared with other networks (share_runtime_memory_with)
};

//! IO tensors by name, as the start and finish callbacks receive them.
using IOTensorMap = std::unordered_map<std::string, std::pair<IO, std::shared_ptr<Tensor>>>;
using StartCallback = std::function<void(const IOTensorMap& inputs)>;
using FinishCallback = std::function<void(const IOTensorMap& outputs)>;
using AsyncCallback = std::function<void()>;

class NetworkImpl;

class Network {
public:
    explicit Network(const Config& config = {}, const NetworkIO& io = {});
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    //! Loads an ONNX model from a file or from bytes. Throws Error(InvalidModel) for corrupt input and
    //! Error(UnsupportedOp) listing every unsupported op and node at once.
    void load_model(const std::string& path);
    void load_model(const void* data, size_t size);

    //! Runs the model on the current inputs. It returns when the outputs are ready, unless an async callback is
    //! set: then the run happens on a worker thread, the callback is called when it ends, and wait() joins it.
    void forward();
    //! Waits until the last forward has finished (rethrowing its error, for asynchronous runs).
    void wait();

    //! Called with the input tensors right before each run, and with the output tensors right after it.
    void set_start_callback(const StartCallback& callback);
    void set_finish_callback(const FinishCallback& callback);
    //! Makes forward() asynchronous; the callback runs on the worker thread when the run is done.
    void set_async_callback(const AsyncCallback& callback);

    //! Loads src's model into this (unloaded) network using src's weights: one copy in memory.
    void share_weights_with(const Network& src);
    //! Uses one activation arena with src (sized for the larger plan). Runs of networks that share it are
    //! serialised. Not while either network runs.
    void share_runtime_memory_with(Network& src);
    //! Kernels run on the thread that calls forward (edgelite's CPU networks always do; kept for Lite's API).
    //! Before load only.
    void enable_cpu_inplace_mode();
    bool is_cpu_inplace_mode() const;
    //! Device and stream of the network; before load only.
    void set_device_id(int device_id);
    int get_device_id() const;
    void set_stream_id(int stream_id);
    int get_stream_id() const;
    //! Records every node's run and writes them, after each forward, as a Chrome trace (JSON) to path:
    //! open it in Perfetto or chrome://tracing.
    void enable_profile_performance(const std::string& path);

    //! The inputs and outputs of a model with their layouts (symbolic dims as 0), without loading it.
    static NetworkIO get_model_io_info(const void* data, size_t size, const Config& config = {});

    std::shared_ptr<Tensor> get_io_tensor(const std::string& name, LiteTensorPhase phase = LITE_IO);
    std::shared_ptr<Tensor> get_input_tensor(size_t index);
    std::shared_ptr<Tensor> get_output_tensor(size_t index);
    std::string get_input_name(size_t index) const;
    std::string get_output_name(size_t index) const;
    std::vector<std::string> get_all_input_name() const;
    std::vector<std::string> get_all_output_name() const;

    //! Threads of the CPU kernels (default 1); before load only.
    void set_threads_number(int threads);
    int get_threads_number() const;
    bool is_loaded() const;

    MemoryPlanInfo get_static_memory_alloc_info() const;
    //! A summary of the loaded graph for `edgelite info`: op histogram, nodes after passes.
    std::string get_graph_summary() const;
    const Config& get_config() const;

private:
    std::unique_ptr<NetworkImpl> m_impl;
};

//! What a model file declares, read without loading it (for `edgelite info`).
struct ModelInfo {
    struct Tensor {
        std::string name;
        std::string dtype;               //!< ONNX element type name, e.g. "float"
        std::vector<int64_t> dims;       //!< -1 for a symbolic or unknown dim
        std::vector<std::string> dim_params;
    };
    int64_t ir_version = 0;
    int64_t opset = 0;
    std::string producer;
    std::vector<Tensor> inputs, outputs;  //!< inputs exclude initializers
    std::vector<std::pair<std::string, int>> op_histogram;  //!< op type -> node count, sorted by op type
    std::vector<std::string> unsupported_ops;               //!< op types this build does not run
    size_t initializer_bytes = 0;
};
ModelInfo inspect_model(const void* data, size_t size);

//! Op types in ai.onnx that this build runs, sorted (the op registry).
std::vector<std::string> get_supported_ops();

}  // namespace lite
