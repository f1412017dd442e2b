// lite::Network: owns the model source, the planned graph, the IO tensors and the executor.
#include "lite/network.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/executor.h"
#include "core/graph.h"
#include "core/onnx/onnx_model.h"
#include "core/passes.h"
#include "core/planner.h"
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
    NetworkImpl(const Config& config, const NetworkIO& io) : config(config), io(io) {}

    Config config;
    NetworkIO io;
    int threads = 1;
    bool loaded = false;
    std::atomic<bool> running{false};
    ModelSource source;
    std::unique_ptr<ThreadPool> pool;
    Graph graph;
    Plan plan;
    std::unique_ptr<Executor> executor;
    std::vector<std::string> input_names, output_names;
    std::vector<std::shared_ptr<Tensor>> inputs, outputs;
    std::vector<Layout> planned_input_layouts;
    bool planned = false;  //!< false while symbolic input dims wait for real layouts

    void require_loaded(const char* what) const {
        if (!loaded) throw Error(ErrorCode::InvalidState, std::string(what) + " needs a loaded model: call load first");
    }

    void load(const uint8_t* data, size_t size) {
        if (loaded) throw Error(ErrorCode::InvalidState, "this network already has a model: create a new LiteNetwork");
        if (config.device_type != LITE_CPU && config.device_type != LITE_DEVICE_DEFAULT) {
            throw Error(ErrorCode::DeviceUnavailable, std::string("networks run on the CPU in this build; ") +
                                                          device_name(config.device_type) +
                                                          " networks arrive with their backend's kernels");
        }
        onnx::ModelData model = onnx::parse_model(data, size);
        source = make_model_source(model);
        pool = std::make_unique<ThreadPool>(threads);
        for (const auto& input : source.inputs) input_names.push_back(input.name);
        for (const auto& output : source.outputs) output_names.push_back(output.name);
        // Input layouts: configured ones (LiteIO.config_layout), else the model's with symbolic dims as 1.
        std::map<std::string, std::pair<LiteDataType, ops::Shape>> layouts;
        for (const auto& entry : io.inputs) {
            if (entry.config_layout.ndim == 0) continue;
            if (std::find(input_names.begin(), input_names.end(), entry.name) == input_names.end()) {
                throw Error(ErrorCode::InvalidArgument, "LiteIO names input '" + entry.name +
                                                            "', which the model does not have");
            }
            auto shape = entry.config_layout.shape();
            layouts[entry.name] = {entry.config_layout.data_type, ops::Shape(shape.begin(), shape.end())};
        }
        // Symbolic input dims start as 1. If the graph cannot be planned with that (a 1x1 image is too small
        // for a pooling window), planning waits for the layouts the caller sets before the first forward.
        bool symbolic = false;
        for (const auto& input : source.inputs) {
            if (layouts.count(input.name)) continue;
            for (int64_t d : input.dims) symbolic = symbolic || d <= 0;
        }
        try {
            replan(layouts);
        } catch (const Error& e) {
            if (!symbolic || e.code() != ErrorCode::InvalidModel) throw;
            graph = build_graph(source, layouts);  // unplanned: IO layouts only
            planned_input_layouts.clear();
            for (int id : graph.inputs) planned_input_layouts.push_back(layout_of(graph.values[static_cast<size_t>(id)]));
            deferred_reason = e.what();
        }
        for (size_t i = 0; i < graph.inputs.size(); ++i) {
            auto tensor = std::make_shared<Tensor>(LITE_CPU, planned_input_layouts[i]);
            tensor->fill_zero();
            inputs.push_back(tensor);
        }
        for (size_t i = 0; i < graph.outputs.size(); ++i) {
            const Value& value = graph.values[static_cast<size_t>(graph.outputs[i])];
            outputs.push_back(std::make_shared<Tensor>(LITE_CPU, planned && value.shape_known ? layout_of(value) : Layout{}));
        }
        loaded = true;
    }

    void replan(const std::map<std::string, std::pair<LiteDataType, ops::Shape>>& layouts) {
        executor.reset();
        planned = false;
        graph = build_graph(source, layouts);
        run_passes(graph, *pool, config.options.graph_opt_level);
        plan = plan_memory(graph);
        executor = std::make_unique<Executor>(graph, plan, *pool);
        planned_input_layouts.clear();
        for (int id : graph.inputs) planned_input_layouts.push_back(layout_of(graph.values[static_cast<size_t>(id)]));
        planned = true;
        deferred_reason.clear();
    }

    std::string deferred_reason;

    void require_planned(const char* what) const {
        if (!planned) {
            throw Error(ErrorCode::InvalidState, std::string(what) + " needs a planned network: the model's symbolic "
                                                 "input dims could not be planned as 1 (" + deferred_reason +
                                                 "); set the input layouts (e.g. setDataByCopy(data, layout)) and "
                                                 "forward once");
        }
    }

    void forward() {
        require_loaded("forward");
        if (running.exchange(true)) {
            throw Error(ErrorCode::InvalidState, "a forward is already running on this network: wait for it "
                                                 "(forwardAsync queues runs), or use a second network");
        }
        struct Reset {
            std::atomic<bool>& flag;
            ~Reset() { flag = false; }
        } reset{running};
        // A changed input layout re-plans shapes and memory before the run.
        bool changed = false;
        std::map<std::string, std::pair<LiteDataType, ops::Shape>> layouts;
        for (size_t i = 0; i < inputs.size(); ++i) {
            Layout layout = inputs[i]->get_layout();
            if (layout != planned_input_layouts[i]) changed = true;
            auto shape = layout.shape();
            layouts[input_names[i]] = {layout.data_type, ops::Shape(shape.begin(), shape.end())};
            if (!inputs[i]->is_host_accessible()) {
                throw Error(ErrorCode::NotSupported, "input '" + input_names[i] + "' is not in host memory; CPU "
                                                     "networks read inputs from host memory");
            }
        }
        if (changed || !planned) replan(layouts);
        executor->run(inputs, outputs);
    }

    std::shared_ptr<Tensor> io_tensor(const std::string& name, LiteTensorPhase phase) {
        require_loaded("get_io_tensor");
        if (phase != LITE_OUTPUT) {
            for (size_t i = 0; i < input_names.size(); ++i) {
                if (input_names[i] == name) return inputs[i];
            }
        }
        if (phase != LITE_INPUT) {
            for (size_t i = 0; i < output_names.size(); ++i) {
                if (output_names[i] == name) return outputs[i];
            }
        }
        std::string names;
        for (const auto& n : input_names) names += (names.empty() ? "" : ", ") + n;
        for (const auto& n : output_names) names += (names.empty() ? "" : ", ") + n;
        throw Error(ErrorCode::InvalidArgument, "the model has no " +
                                                    std::string(phase == LITE_INPUT ? "input" : phase == LITE_OUTPUT ? "output" : "input or output") +
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
void Network::wait() {}

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
    out << "nodes after passes: " << live << " (model: " << m_impl->source.nodes.size() << "), with run-time shapes: " << dynamic << "\n";
    for (const auto& [op, count] : histogram) out << "  " << op << ": " << count << "\n";
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
