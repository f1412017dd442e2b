// lite::Network: owns the model source, the planned graph, the IO tensors and the executor.
#include "lite/network.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <fstream>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "backends/backend.h"
#include "core/executor.h"
#include "core/graph.h"
#include "core/onnx/onnx_model.h"
#include "core/passes.h"
#include "core/planner.h"
#include "core/storage.h"
#include "core/thread_pool.h"
#include "lite/error.h"

namespace lite {

namespace {
constexpr size_t kMaxModelBytes = size_t(2) << 30;  // protobuf's own limit for one message

Layout layout_of(const Value& value) {
    std::vector<size_t> dims(value.shape.begin(), value.shape.end());
    if (dims.empty()) dims.push_back(1);
    return Layout(dims, value.dtype);
}
}  // namespace

class NetworkImpl {
public:
    NetworkImpl(const Config& config, const NetworkIO& io) : config(config), io(io), arena(std::make_shared<Arena>()) {}
    ~NetworkImpl() {
        if (async_worker.joinable()) async_worker.join();
    }

    Config config;
    NetworkIO io;
    int threads = 1;
    int stream_id = 0;
    bool cpu_inplace = false;
    bool loaded = false;
    bool planned = false;  //!< false while symbolic input dims wait for real layouts
    std::string deferred_reason;
    std::shared_ptr<ModelSource> source;
    std::unique_ptr<ThreadPool> pool;
    backend::Backend* device = nullptr;             //!< the network's device besides the CPU (LITE_CUDA, LITE_OPENCL), else nullptr
    std::unique_ptr<backend::DeviceStream> stream;  //!< its queue; declared before the executor, which uses it
    std::shared_ptr<Arena> arena;
    Graph graph;
    Plan plan;
    std::unique_ptr<Executor> executor;
    std::vector<std::string> input_names, output_names;  //!< output_names: what the caller gets (model or LiteIO order)
    std::vector<std::string> extra_outputs;              //!< intermediates asked for by name
    std::vector<std::shared_ptr<Tensor>> inputs, outputs;  //!< outputs parallel to output_names + extra_outputs
    std::vector<Layout> planned_input_layouts;
    const NetworkImpl* weights_from = nullptr;
    size_t shared_weight_bytes = 0;

    // Runs: one at a time; wait() blocks until the current one is over.
    std::mutex state_mutex;
    std::condition_variable idle;
    bool running = false;
    bool ran_once = false;
    size_t model_bytes = 0;
    //! Models from this size on give the heap back after load and first run (smaller ones free too little).
    static constexpr size_t kReleaseHeapModelBytes = size_t(2) << 20;
    std::exception_ptr async_error;
    std::thread async_worker;
    StartCallback start_callback;
    FinishCallback finish_callback;
    AsyncCallback async_callback;

    std::string profile_path;
    std::vector<ProfileEvent> profile_events;  // of the last run, appended to the file after it
    std::fstream profile_file;
    std::streampos profile_tail = 0;  // where the closing "]}" of the file starts
    size_t profile_written = 0;       // events in the file

    void require_loaded(const char* what) const {
        if (!loaded) throw Error(ErrorCode::InvalidState, std::string(what) + " needs a loaded model: call load first");
    }
    void require_not_loaded(const char* what) const {
        if (loaded) throw Error(ErrorCode::InvalidState, std::string(what) + " must be set before load");
    }
    void require_planned(const char* what) const {
        if (!planned) {
            throw Error(ErrorCode::InvalidState, std::string(what) + " needs a planned network: the model's symbolic "
                                                 "input dims could not be planned as 1 (" + deferred_reason +
                                                 "); set the input layouts (e.g. setDataByCopy(data, layout)) and "
                                                 "forward once");
        }
    }

    bool is_shape_only(const std::string& name) const {
        for (const auto& entry : io.outputs) {
            if (entry.name == name) return entry.io_type == LITE_IO_SHAPE;
        }
        return false;
    }

    void load(const uint8_t* data, size_t size) {
        {
            onnx::ModelData model = onnx::parse_model(data, size);
            load_source(std::make_shared<ModelSource>(make_model_source(model)));
        }
        // The parsed model and the buffers of the graph passes, when they are worth the trim's time (~0.5 ms).
        model_bytes = size;
        if (model_bytes >= kReleaseHeapModelBytes) release_unused_heap();
    }

    void load_source(std::shared_ptr<ModelSource> model) {
        if (loaded) throw Error(ErrorCode::InvalidState, "this network already has a model: create a new network");
        open_device();
        source = std::move(model);
        pool = std::make_unique<ThreadPool>(threads);
        for (const auto& input : source->inputs) input_names.push_back(input.name);
        // Outputs: those LiteIO lists (any value of the model, in that order), else the model's.
        if (io.outputs.empty()) {
            for (const auto& output : source->outputs) output_names.push_back(output.name);
        } else {
            for (const auto& entry : io.outputs) output_names.push_back(entry.name);
        }
        // Input layouts: configured ones (LiteIO.config_layout), else the model's with symbolic dims as 1.
        std::map<std::string, std::pair<LiteDataType, ops::Shape>> layouts;
        for (const auto& entry : io.inputs) {
            if (std::find(input_names.begin(), input_names.end(), entry.name) == input_names.end()) {
                throw Error(ErrorCode::InvalidArgument, "LiteIO names input '" + entry.name +
                                                            "', which the model does not have (inputs: " +
                                                            join(input_names) + ")");
            }
            if (entry.config_layout.ndim == 0) continue;
            auto shape = entry.config_layout.shape();
            layouts[entry.name] = {entry.config_layout.data_type, ops::Shape(shape.begin(), shape.end())};
        }
        // Symbolic input dims start as 1. If the graph cannot be planned with that (a 1x1 image is too small
        // for a pooling window), planning waits for the layouts the caller sets before the first forward.
        bool symbolic = false;
        for (const auto& input : source->inputs) {
            if (layouts.count(input.name)) continue;
            for (int64_t d : input.dims) symbolic = symbolic || d <= 0;
        }
        try {
            replan(layouts);
        } catch (const Error& e) {
            if (!symbolic || e.code() != ErrorCode::InvalidModel) throw;
            graph = build_graph(*source, layouts, all_output_names());
            planned_input_layouts.clear();
            for (int id : graph.inputs) planned_input_layouts.push_back(layout_of(graph.values[static_cast<size_t>(id)]));
            deferred_reason = e.what();
        }
        for (size_t i = 0; i < graph.inputs.size(); ++i) {
            auto tensor = std::make_shared<Tensor>(config.device_id, io_device(io.inputs, input_names[i]), planned_input_layouts[i]);
            tensor->fill_zero();
            inputs.push_back(tensor);
        }
        for (size_t i = 0; i < output_names.size(); ++i) {
            outputs.push_back(std::make_shared<Tensor>(config.device_id, io_device(io.outputs, output_names[i]), Layout{}));
        }
        if (planned) shape_outputs();
        loaded = true;
    }

    // The device of config.device_type: the CPU needs nothing; a device backend that runs networks gets a queue
    // for this network. Without a device: Error(DeviceUnavailable) saying what to install.
    void open_device() {
        const LiteDeviceType type = config.device_type;
        if (type == LITE_CPU || type == LITE_DEVICE_DEFAULT) return;
        backend::Backend& backend = backend::require_backend(type, config.device_id);
        stream = backend.create_stream(config.device_id);
        if (!stream) {
            throw Error(ErrorCode::DeviceUnavailable, std::string(device_name(type)) + " networks are not supported "
                                                      "by this build: use LITE_CPU, LITE_CUDA or LITE_OPENCL");
        }
        device = &backend;
    }

    // Where an IO tensor lives: device memory for a LiteIO with is_host false on a network that runs on a device
    // (the device's kernels use it in place); host memory otherwise (on the CPU, device IO is served from the host).
    LiteDeviceType io_device(const std::vector<IO>& entries, const std::string& name) const {
        if (!device) return LITE_CPU;
        for (const auto& entry : entries) {
            if (entry.name == name && !entry.is_host) return device->type();
        }
        return LITE_CPU;
    }

    static std::string join(const std::vector<std::string>& names) {
        std::string text;
        for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
        return text;
    }

    std::vector<std::string> all_output_names() const {
        std::vector<std::string> names = output_names;
        names.insert(names.end(), extra_outputs.begin(), extra_outputs.end());
        return names;
    }

    // Output tensors take the planned layouts (their memory is allocated or checked at the first run).
    void shape_outputs() {
        for (size_t i = 0; i < outputs.size() && i < graph.outputs.size(); ++i) {
            const Value& value = graph.values[static_cast<size_t>(graph.outputs[i])];
            if (value.shape_known && outputs[i]->get_layout() != layout_of(value)) outputs[i]->set_layout(layout_of(value));
        }
        for (const auto& [index, layout] : shape_only_layouts) {
            if (outputs[index]->get_layout() != layout) outputs[index]->set_layout(layout);
        }
    }

    std::map<size_t, Layout> shape_only_layouts;  //!< LITE_IO_SHAPE outputs whose shape was inferred at load

    void replan(const std::map<std::string, std::pair<LiteDataType, ops::Shape>>& layouts) {
        executor.reset();
        planned = false;
        graph = build_graph(*source, layouts, all_output_names());
        infer_and_fold(graph, *pool);
        // Shape-only outputs of known shape are not computed: they stop being outputs, so the nodes that only
        // feed them are removed as dead.
        shape_only_layouts.clear();
        std::vector<int> computed;
        for (size_t i = 0; i < graph.outputs.size(); ++i) {
            Value& value = graph.values[static_cast<size_t>(graph.outputs[i])];
            if (i < output_names.size() && is_shape_only(output_names[i]) && value.shape_known) {
                shape_only_layouts[i] = layout_of(value);
                value.is_output = false;
                computed.push_back(-1);
            } else {
                computed.push_back(graph.outputs[i]);
            }
        }
        for (size_t i = 0; i < computed.size(); ++i) {
            if (computed[i] >= 0) graph.values[static_cast<size_t>(computed[i])].is_output = true;
        }
        if (config.options.graph_opt_level > 0) {
            optimize(graph);
        }
        remove_dead_nodes(graph);
        if (config.options.force_output_use_user_specified_memory) {
            for (size_t i = 0; i < graph.outputs.size(); ++i) {
                if (computed[i] >= 0 && !graph.values[static_cast<size_t>(computed[i])].shape_known) {
                    throw Error(ErrorCode::NotSupported, "output '" + graph.values[static_cast<size_t>(computed[i])].name +
                                                             "' has a shape known only while running, so it cannot be "
                                                             "written into memory you provide: turn off "
                                                             "forceOutputUseUserSpecifiedMemory for this model");
                }
            }
        }
        if (weights_from) share_constants(*weights_from);
        plan = plan_memory(graph);
        shared_weight_bytes = weights_from ? weights_shared_with(*weights_from) : 0;
        for (size_t i = 0; i < computed.size(); ++i) {
            if (computed[i] < 0) plan.slots[static_cast<size_t>(graph.outputs[i])].place = Plan::Place::None;
        }
        arena->reserve(plan.arena_bytes);  // peak memory is allocated at load, not at the first run
        executor = std::make_unique<Executor>(graph, plan, *pool, DeviceContext{device, config.device_id, stream.get()});
        planned_input_layouts.clear();
        for (int id : graph.inputs) planned_input_layouts.push_back(layout_of(graph.values[static_cast<size_t>(id)]));
        planned = true;
        deferred_reason.clear();
    }

    // Constants equal to ones of the network we share weights with use that network's memory (matched by
    // content, so folded weights are shared as well as initializers).
    void share_constants(const NetworkImpl& src) {
        std::multimap<size_t, const Value*> theirs;
        for (const auto& value : src.graph.values) {
            if (value.is_constant()) theirs.emplace(value.constant->bytes, &value);
        }
        for (auto& value : graph.values) {
            if (!value.is_constant()) continue;
            auto range = theirs.equal_range(value.constant->bytes);
            for (auto it = range.first; it != range.second; ++it) {
                const Value& other = *it->second;
                if (other.dtype != value.dtype) continue;
                if (other.constant != value.constant &&
                    std::memcmp(other.constant->data, value.constant->data, value.constant->bytes) != 0) {
                    continue;
                }
                value.constant = other.constant;
                break;
            }
        }
    }

    // Bytes of the weights this network reads that are also the memory of `src`'s weights.
    size_t weights_shared_with(const NetworkImpl& src) const {
        std::set<const ConstantBuffer*> mine, theirs;
        for (const auto& value : src.graph.values) {
            if (value.is_constant()) theirs.insert(value.constant.get());
        }
        size_t bytes = 0;
        for (int n : plan.schedule) {
            for (int v : graph.nodes[static_cast<size_t>(n)].inputs) {
                if (v < 0 || !graph.values[static_cast<size_t>(v)].is_constant()) continue;
                const ConstantBuffer* buffer = graph.values[static_cast<size_t>(v)].constant.get();
                if (theirs.count(buffer) && mine.insert(buffer).second) bytes += buffer->bytes;
            }
        }
        return bytes;
    }

    IOTensorMap io_map(const std::vector<std::string>& names, const std::vector<std::shared_ptr<Tensor>>& tensors,
                       const std::vector<IO>& configured) const {
        IOTensorMap map;
        for (size_t i = 0; i < names.size() && i < tensors.size(); ++i) {
            IO entry(names[i]);
            for (const auto& c : configured) {
                if (c.name == names[i]) entry = c;
            }
            map[names[i]] = {entry, tensors[i]};
        }
        return map;
    }

    void run_once() {
        // A changed input layout re-plans shapes and memory before the run.
        bool changed = false;
        std::map<std::string, std::pair<LiteDataType, ops::Shape>> layouts;
        for (size_t i = 0; i < inputs.size(); ++i) {
            Layout layout = inputs[i]->get_layout();
            if (layout != planned_input_layouts[i]) changed = true;
            auto shape = layout.shape();
            layouts[input_names[i]] = {layout.data_type, ops::Shape(shape.begin(), shape.end())};
            if (!inputs[i]->is_host_accessible()) {
                // Device memory the CPU cannot address (a device without unified memory): CPU nodes could not read it.
                throw Error(ErrorCode::NotSupported, "input '" + input_names[i] + "' is in " +
                                                     device_name(inputs[i]->get_device_type()) +
                                                     " memory the CPU cannot address; device IO needs a device that "
                                                     "shares the host's memory for now: use LiteIO isHost true (or "
                                                     "copy_from the device tensor into the input)");
            }
        }
        if (changed || !planned) {
            replan(layouts);
            shape_outputs();
        }
        if (start_callback) start_callback(io_map(input_names, inputs, io.inputs));
        {
            std::lock_guard<std::mutex> arena_lock(arena->run_mutex());
            // The executor fills every computed output; shape-only ones are skipped by passing them through.
            std::vector<ProfileEvent>* profile = profile_path.empty() ? nullptr : &profile_events;
            std::vector<std::shared_ptr<Tensor>> computed;
            for (size_t i = 0; i < outputs.size(); ++i) computed.push_back(outputs[i]);
            executor->run(*arena, inputs, computed, profile);
        }
        if (!profile_path.empty()) write_profile();
        if (!ran_once) {
            ran_once = true;
            // The kernels' first-run preparation (weights packed, the originals' copies freed).
            if (model_bytes >= kReleaseHeapModelBytes) release_unused_heap();
        }
        if (finish_callback) finish_callback(io_map(output_names, outputs, io.outputs));
    }

    void begin_run() {
        std::unique_lock<std::mutex> lock(state_mutex);
        if (running) {
            throw Error(ErrorCode::InvalidState, "a forward is already running on this network: wait for it "
                                                 "(forwardAsync queues runs), or use a second network");
        }
        running = true;
        async_error = nullptr;
    }

    void end_run(std::exception_ptr error) {
        std::lock_guard<std::mutex> lock(state_mutex);
        running = false;
        async_error = error;
        idle.notify_all();
    }

    void forward() {
        require_loaded("forward");
        begin_run();
        if (async_callback) {
            if (async_worker.joinable()) async_worker.join();
            async_worker = std::thread([this] {
                std::exception_ptr error;
                try {
                    run_once();
                } catch (...) {
                    error = std::current_exception();
                }
                end_run(error);
                if (async_callback) async_callback();
            });
            return;
        }
        try {
            run_once();
        } catch (...) {
            end_run(nullptr);
            throw;
        }
        end_run(nullptr);
    }

    void wait() {
        std::unique_lock<std::mutex> lock(state_mutex);
        idle.wait(lock, [this] { return !running; });
        if (async_error) {
            auto error = async_error;
            async_error = nullptr;
            std::rethrow_exception(error);
        }
    }

    // The trace file stays valid JSON after every run: the run's events are written over the closing bracket,
    // which follows them again, so each run costs its own events only (not the whole history).
    void write_profile() {
        constexpr size_t kMaxEvents = 1000000;  // bounded file size on long runs (about 150 MB): later runs are not recorded
        if (!profile_file.is_open()) {
            profile_file.open(profile_path, std::ios::out | std::ios::trunc);
            if (!profile_file) throw Error(ErrorCode::IoError, "cannot write the profile to '" + profile_path + "'");
            profile_file << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[";
            profile_tail = profile_file.tellp();
            profile_written = 0;
        }
        profile_file.seekp(profile_tail);
        for (const auto& e : profile_events) {
            if (profile_written >= kMaxEvents) break;
            profile_file << (profile_written++ ? ",\n" : "\n") << "{\"name\":\"" << escape(e.name.empty() ? e.op_type : e.name)
                         << "\",\"cat\":\"" << escape(e.op_type) << "\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":" << std::fixed
                         << e.start_us << ",\"dur\":" << e.duration_us << ",\"args\":{\"op\":\"" << escape(e.op_type) << "\"}}";
        }
        profile_events.clear();
        profile_tail = profile_file.tellp();
        profile_file << "\n]}\n";
        profile_file.flush();
        if (!profile_file) throw Error(ErrorCode::IoError, "cannot write the profile to '" + profile_path + "': is the disk full?");
    }

    static std::string escape(const std::string& text) {
        std::string out;
        for (char c : text) {
            if (c == '"' || c == '\\') out += '\\';
            if (static_cast<unsigned char>(c) < 0x20) continue;
            out += c;
        }
        return out;
    }

    std::shared_ptr<Tensor> io_tensor(const std::string& name, LiteTensorPhase phase) {
        require_loaded("get_io_tensor");
        if (phase != LITE_OUTPUT) {
            for (size_t i = 0; i < input_names.size(); ++i) {
                if (input_names[i] == name) return inputs[i];
            }
        }
        if (phase != LITE_INPUT) {
            std::vector<std::string> names = all_output_names();
            for (size_t i = 0; i < names.size(); ++i) {
                if (names[i] == name) return outputs[i];
            }
        }
        int value_id = graph.find_value(name);
        bool intermediate = value_id >= 0 && !graph.values[static_cast<size_t>(value_id)].is_input &&
                            !graph.values[static_cast<size_t>(value_id)].is_constant();
        if (phase != LITE_INPUT && !config.options.force_output_use_user_specified_memory && intermediate) {
            // An intermediate value: it becomes an extra output, computed from the next run on.
            std::lock_guard<std::mutex> lock(state_mutex);
            if (running) throw Error(ErrorCode::InvalidState, "cannot add an output while the network runs");
            extra_outputs.push_back(name);
            outputs.push_back(std::make_shared<Tensor>(LITE_CPU, Layout{}));
            planned = false;
            return outputs.back();
        }
        std::string names = join(input_names) + (input_names.empty() ? "" : ", ") + join(output_names);
        if (config.options.force_output_use_user_specified_memory && intermediate) {
            throw Error(ErrorCode::InvalidArgument, "'" + name + "' is an intermediate tensor: with "
                                                    "forceOutputUseUserSpecifiedMemory only network inputs and "
                                                    "outputs can be fetched (" + names + ")");
        }
        throw Error(ErrorCode::InvalidArgument, "the model has no " +
                                                    std::string(phase == LITE_INPUT ? "input" : phase == LITE_OUTPUT ? "output" : "input, output or tensor") +
                                                    " named '" + name + "': it has " + names);
    }
};

Network::Network(const Config& config, const NetworkIO& io) : m_impl(std::make_unique<NetworkImpl>(config, io)) {}
Network::~Network() = default;

void Network::load_model(const std::string& path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) throw Error(ErrorCode::IoError, "cannot open model file '" + path + "': check the path and permissions");
    auto size = static_cast<size_t>(file.tellg());
    if (size > kMaxModelBytes) {
        throw Error(ErrorCode::InvalidModel, "model file '" + path + "' is larger than 2 GiB, the ONNX limit");
    }
    std::vector<uint8_t> bytes(size);
    file.seekg(0);
    if (!file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
        throw Error(ErrorCode::IoError, "cannot read model file '" + path + "'");
    }
    m_impl->load(bytes.data(), bytes.size());
}


void Network::load_model(const void* data, size_t size) {
    if (size > kMaxModelBytes) throw Error(ErrorCode::InvalidModel, "the model is larger than 2 GiB, the ONNX limit");
    m_impl->load(static_cast<const uint8_t*>(data), size);
}

void Network::forward() { m_impl->forward(); }
void Network::wait() { m_impl->wait(); }

void Network::set_start_callback(const StartCallback& callback) { m_impl->start_callback = callback; }
void Network::set_finish_callback(const FinishCallback& callback) { m_impl->finish_callback = callback; }
void Network::set_async_callback(const AsyncCallback& callback) { m_impl->async_callback = callback; }

void Network::share_weights_with(const Network& src) {
    m_impl->require_not_loaded("share_weights_with");
    src.m_impl->require_loaded("share_weights_with (the source network)");
    m_impl->weights_from = src.m_impl.get();
    m_impl->load_source(src.m_impl->source);
}

void Network::share_runtime_memory_with(Network& src) {
    std::lock_guard<std::mutex> lock(m_impl->state_mutex);
    if (m_impl->running || src.m_impl->running) {
        throw Error(ErrorCode::InvalidState, "share_runtime_memory_with: wait for the networks' runs to finish first");
    }
    m_impl->arena = src.m_impl->arena;
    if (m_impl->planned) m_impl->arena->reserve(m_impl->plan.arena_bytes);
}

void Network::enable_cpu_inplace_mode() {
    m_impl->require_not_loaded("enable_cpu_inplace_mode");
    m_impl->cpu_inplace = true;
}
bool Network::is_cpu_inplace_mode() const { return m_impl->cpu_inplace; }

void Network::set_device_id(int device_id) {
    m_impl->require_not_loaded("device_id");
    if (device_id < 0) throw Error(ErrorCode::InvalidArgument, "device_id must be non-negative");
    m_impl->config.device_id = device_id;
}
int Network::get_device_id() const { return m_impl->config.device_id; }

void Network::set_stream_id(int stream_id) {
    m_impl->require_not_loaded("stream_id");
    if (stream_id < 0) throw Error(ErrorCode::InvalidArgument, "stream_id must be non-negative");
    m_impl->stream_id = stream_id;
}
int Network::get_stream_id() const { return m_impl->stream_id; }

void Network::enable_profile_performance(const std::string& path) {
    if (path.empty()) throw Error(ErrorCode::InvalidArgument, "enable_profile_performance needs a file path");
    std::ofstream probe(path, std::ios::app);
    if (!probe) throw Error(ErrorCode::IoError, "cannot write the profile to '" + path + "': check the folder exists");
    m_impl->profile_path = path;
    m_impl->profile_events.clear();
    if (m_impl->profile_file.is_open()) m_impl->profile_file.close();  // a new file, started by the next run
}

NetworkIO Network::get_model_io_info(const void* data, size_t size, const Config&) {
    ModelInfo info = inspect_model(data, size);
    NetworkIO io;
    auto convert = [](const ModelInfo::Tensor& tensor) {
        IO entry(tensor.name);
        LiteDataType dtype = LITE_FLOAT;
        for (int32_t t = 0; t <= 16; ++t) {
            if (tensor.dtype == onnx::onnx_type_name(t)) onnx::to_lite_dtype(t, dtype);
        }
        std::vector<size_t> dims;
        for (int64_t d : tensor.dims) dims.push_back(d > 0 ? static_cast<size_t>(d) : 0);
        entry.config_layout = Layout(dims, dtype);
        return entry;
    };
    for (const auto& input : info.inputs) io.inputs.push_back(convert(input));
    for (const auto& output : info.outputs) io.outputs.push_back(convert(output));
    return io;
}

std::shared_ptr<Tensor> Network::get_io_tensor(const std::string& name, LiteTensorPhase phase) {
    return m_impl->io_tensor(name, phase);
}

std::shared_ptr<Tensor> Network::get_input_tensor(size_t index) {
    m_impl->require_loaded("get_input_tensor");
    if (index >= m_impl->inputs.size()) {
        throw Error(ErrorCode::InvalidArgument, "input index " + std::to_string(index) + " is out of range: the model has " +
                                                    std::to_string(m_impl->inputs.size()) + " input(s)");
    }
    return m_impl->inputs[index];
}

std::shared_ptr<Tensor> Network::get_output_tensor(size_t index) {
    m_impl->require_loaded("get_output_tensor");
    if (index >= m_impl->outputs.size()) {
        throw Error(ErrorCode::InvalidArgument, "output index " + std::to_string(index) + " is out of range: the model has " +
                                                    std::to_string(m_impl->outputs.size()) + " output(s)");
    }
    return m_impl->outputs[index];
}

std::string Network::get_input_name(size_t index) const {
    m_impl->require_loaded("get_input_name");
    if (index >= m_impl->input_names.size()) throw Error(ErrorCode::InvalidArgument, "input index out of range");
    return m_impl->input_names[index];
}

std::string Network::get_output_name(size_t index) const {
    m_impl->require_loaded("get_output_name");
    if (index >= m_impl->output_names.size()) throw Error(ErrorCode::InvalidArgument, "output index out of range");
    return m_impl->output_names[index];
}

std::vector<std::string> Network::get_all_input_name() const {
    m_impl->require_loaded("get_all_input_name");
    return m_impl->input_names;
}

std::vector<std::string> Network::get_all_output_name() const {
    m_impl->require_loaded("get_all_output_name");
    return m_impl->output_names;
}

void Network::set_threads_number(int threads) {
    if (m_impl->loaded) throw Error(ErrorCode::InvalidState, "threadsNumber must be set before load");
    if (threads < 1 || threads > 256) {
        throw Error(ErrorCode::InvalidArgument, "threadsNumber must be between 1 and 256, got " + std::to_string(threads));
    }
    m_impl->threads = threads;
}

int Network::get_threads_number() const { return m_impl->threads; }
bool Network::is_loaded() const { return m_impl->loaded; }
const Config& Network::get_config() const { return m_impl->config; }

MemoryPlanInfo Network::get_static_memory_alloc_info() const {
    m_impl->require_loaded("get_static_memory_alloc_info");
    m_impl->require_planned("get_static_memory_alloc_info");
    MemoryPlanInfo info;
    const Plan& plan = m_impl->plan;
    info.arena_bytes = plan.arena_bytes;
    info.weight_bytes = plan.weight_bytes;
    info.dynamic_values = plan.dynamic_values;
    info.shared_weight_bytes = m_impl->shared_weight_bytes;
    info.arena_shared = m_impl->arena.use_count() > 1;
    for (const auto& t : m_impl->inputs) info.io_bytes += t->get_tensor_total_size_in_byte();
    for (const auto& t : m_impl->outputs) info.io_bytes += t->get_tensor_total_size_in_byte();
    for (size_t v = 0; v < plan.slots.size(); ++v) {
        if (plan.slots[v].place != Plan::Place::Arena) continue;
        info.entries.push_back({m_impl->graph.values[v].name, plan.slots[v].offset, plan.slots[v].bytes, plan.slots[v].in_place});
    }
    return info;
}

std::string Network::get_graph_summary() const {
    m_impl->require_loaded("get_graph_summary");
    m_impl->require_planned("get_graph_summary");
    std::map<std::string, int> histogram;
    size_t live = 0, dynamic = 0;
    for (const auto& node : m_impl->graph.nodes) {
        if (node.removed) continue;
        ++live;
        if (node.dynamic) ++dynamic;
        histogram[node.op_type + (node.fused.empty() ? "" : "+" + node.fused)]++;
    }
    std::ostringstream out;
    out << "nodes after passes: " << live << " (model: " << m_impl->source->model_nodes << "), with run-time shapes: " << dynamic << "\n";
    for (const auto& [op, count] : histogram) out << "  " << op << ": " << count << "\n";
    if (m_impl->executor && m_impl->executor->has_device()) {
        // Where the nodes run: the device's kernels where its backend covers the node, the CPU for the rest.
        size_t on_device = 0, on_cpu = 0;
        std::set<std::string> fallback;
        for (int n : m_impl->plan.schedule) {
            if (m_impl->executor->on_device(n)) {
                ++on_device;
            } else {
                ++on_cpu;
                fallback.insert(m_impl->graph.nodes[static_cast<size_t>(n)].op_type);
            }
        }
        std::string ops;
        for (const auto& op : fallback) ops += (ops.empty() ? "" : ", ") + op;
        out << "on " << m_impl->device->name() << ": " << on_device << " nodes, on cpu: " << on_cpu << " nodes";
        if (!fallback.empty()) out << " (fallback: " << ops << ")";
        out << "\n";
    }
    // EDGELITE_GRAPH_DETAIL=1: every live node with its input and output shapes, for finding fusion patterns.
    const char* detail = std::getenv("EDGELITE_GRAPH_DETAIL");
    if (detail && *detail && *detail != '0') {
        const auto& graph = m_impl->graph;
        auto describe_value = [&](int v) {
            if (v < 0) return std::string("-");
            const Value& value = graph.values[static_cast<size_t>(v)];
            std::string text = value.is_constant() ? "const[" : "[";
            for (size_t i = 0; i < value.shape.size(); ++i) text += (i ? "x" : "") + std::to_string(value.shape[i]);
            return text + (value.shape_known ? "]" : "?]");
        };
        for (const auto& node : graph.nodes) {
            if (node.removed) continue;
            out << node.name << " " << node.op_type << (node.fused.empty() ? "" : "+" + node.fused) << " (";
            for (size_t i = 0; i < node.inputs.size(); ++i) out << (i ? ", " : "") << describe_value(node.inputs[i]);
            out << ") -> ";
            for (size_t i = 0; i < node.outputs.size(); ++i) out << (i ? ", " : "") << describe_value(node.outputs[i]);
            out << "\n";
        }
    }
    return out.str();
}

ModelInfo inspect_model(const void* data, size_t size) {
    onnx::ModelData model = onnx::parse_model(static_cast<const uint8_t*>(data), size);
    ModelInfo info;
    info.ir_version = model.ir_version;
    auto opset = model.opsets.find("");
    info.opset = opset == model.opsets.end() ? 0 : opset->second;
    info.producer = model.producer;
    std::map<std::string, size_t> initializers;
    for (const auto& init : model.graph.initializers) {
        initializers[init->name] = init->data().size();
        info.initializer_bytes += init->data().size();
    }
    auto convert = [](const onnx::ValueInfo& value) {
        return ModelInfo::Tensor{value.name, onnx::onnx_type_name(value.onnx_type), value.dims, value.dim_params};
    };
    for (const auto& input : model.graph.inputs) {
        if (!initializers.count(input.name)) info.inputs.push_back(convert(input));
    }
    for (const auto& output : model.graph.outputs) info.outputs.push_back(convert(output));
    std::map<std::string, int> histogram;
    std::set<std::string> unsupported;
    for (const auto& node : model.graph.nodes) {
        bool standard = node.domain.empty() || node.domain == "ai.onnx";
        std::string op = (standard ? "" : node.domain + ".") + node.op_type;
        histogram[op]++;
        if (!standard || !ops::find_op(node.op_type)) unsupported.insert(op);
    }
    info.op_histogram.assign(histogram.begin(), histogram.end());
    info.unsupported_ops.assign(unsupported.begin(), unsupported.end());
    return info;
}

std::vector<std::string> get_supported_ops() {
    std::vector<std::string> names;
    for (const auto& op : ops::all_ops()) names.emplace_back(op.name);
    return names;
}

}  // namespace lite
