#include "core/executor.h"

#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <map>

#include "core/contexts.h"
#include "core/copy_stats.h"
#include "core/storage.h"
#include "lite/error.h"

namespace lite {
namespace {

Layout to_layout(LiteDataType dtype, const ops::Shape& shape) {
    std::vector<size_t> dims(shape.begin(), shape.end());
    if (dims.empty()) dims.push_back(1);  // scalars are 1-element tensors in the tensor API
    return Layout(dims, dtype);
}

}  // namespace

// Page-aligned, so that devices sharing the host's memory can use the arena in place (CL_MEM_USE_HOST_PTR is
// zero copy on Mali, Adreno and PoCL only for page-aligned memory).
constexpr size_t kArenaAlignment = 4096;

char* Arena::reserve(size_t bytes) {
    if (!m_memory || bytes > m_capacity) {
        size_t rounded = std::max<size_t>((bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment, kArenaAlignment);
        auto* memory = static_cast<char*>(std::aligned_alloc(kArenaAlignment, rounded));
        if (!memory) throw Error(ErrorCode::OutOfMemory, "cannot allocate the " + std::to_string(bytes) + "-byte arena");
        m_memory.reset(memory);
        m_capacity = rounded;
    }
    return m_memory.get();
}

Executor::Executor(Graph& graph, const Plan& plan, ThreadPool& pool, const DeviceContext& device)
        : m_graph(graph), m_plan(plan), m_pool(pool), m_dynamic(graph.values.size()), m_device(device) {
    if (!m_device.backend || !m_device.stream) return;
    m_device_kernels.resize(graph.nodes.size());
    std::vector<bool> io(graph.values.size(), false);
    for (int n : plan.schedule) {
        const Node& node = graph.nodes[static_cast<size_t>(n)];
        if (!device_can_place(node)) continue;
        backend::NodeDesc desc;
        desc.op_type = node.op_type;
        ops::Attributes attributes(node.attributes, node.describe());
        desc.attributes = &attributes;
        desc.opset = graph.opset;
        desc.activation = node.activation;
        desc.residual = node.residual;
        std::vector<ops::TensorView> constants(node.inputs.size());
        auto describe = [&](int v, const ops::TensorView* constant) {
            backend::NodeDesc::Tensor t;
            if (v < 0) return t;
            const Value& value = graph.values[static_cast<size_t>(v)];
            t.present = true, t.dtype = value.dtype, t.shape = value.shape, t.constant = constant;
            return t;
        };
        for (size_t i = 0; i < node.inputs.size(); ++i) {
            const int v = node.inputs[i];
            const ops::TensorView* constant = nullptr;
            if (v >= 0 && graph.values[static_cast<size_t>(v)].is_constant()) {
                constants[i] = graph.values[static_cast<size_t>(v)].constant_view();
                constant = &constants[i];
            }
            desc.inputs.push_back(describe(v, constant));
        }
        for (int v : node.outputs) desc.outputs.push_back(describe(v, nullptr));
        std::unique_ptr<backend::DeviceKernel> kernel = m_device.backend->create_device_kernel(m_device.device_id, desc);
        if (!kernel) continue;
        m_uploaded_bytes += kernel->uploaded_bytes();
        for (int v : node.inputs) {
            if (v >= 0 && plan.slots[static_cast<size_t>(v)].place != Plan::Place::Arena && !graph.values[static_cast<size_t>(v)].is_constant()) io[static_cast<size_t>(v)] = true;
        }
        for (int v : node.outputs) {
            if (v >= 0 && plan.slots[static_cast<size_t>(v)].place != Plan::Place::Arena) io[static_cast<size_t>(v)] = true;
        }
        m_device_kernels[static_cast<size_t>(n)] = std::move(kernel);
    }
    for (size_t v = 0; v < io.size(); ++v) {
        if (io[v]) m_device_io.push_back(static_cast<int>(v));
    }
    if (m_uploaded_bytes) count_copy(LITE_CPU, m_device.backend->type(), m_uploaded_bytes);
}

Executor::~Executor() {
    if (m_arena_wrap.handle) m_device.stream->unwrap_host(m_arena_wrap);
}

// Nodes whose every value has a planned shape and memory the device can reach: the arena, a graph input or
// output (wrapped for the run) or a constant (uploaded by the kernel).
bool Executor::device_can_place(const Node& node) const {
    if (node.dynamic) return false;
    auto placeable = [&](int v, bool output) {
        if (v < 0) return true;
        const Value& value = m_graph.values[static_cast<size_t>(v)];
        if (value.is_constant()) return !output;  // empty ones too (Resize's roi)
        if (!value.shape_known || value.nbytes() == 0) return false;
        switch (m_plan.slots[static_cast<size_t>(v)].place) {
            case Plan::Place::Arena:
            case Plan::Place::Output: return true;
            case Plan::Place::Input:
            case Plan::Place::Constant: return !output;
            default: return false;
        }
    };
    for (int v : node.inputs) {
        if (!placeable(v, false)) return false;
    }
    for (int v : node.outputs) {
        if (!placeable(v, true)) return false;
    }
    return true;
}

void Executor::run(Arena& arena, const std::vector<std::shared_ptr<Tensor>>& inputs,
                   const std::vector<std::shared_ptr<Tensor>>& outputs, std::vector<ProfileEvent>* profile) {
    const ThreadPool::Busy busy(m_pool);  // workers stay awake for the whole run
    char* arena_base = arena.reserve(m_plan.arena_bytes);
    // Kept across runs (one run at a time): assigning the shapes reuses their memory instead of allocating
    // a vector per value and run.
    std::vector<ops::TensorView>& views = m_views;
    views.resize(m_graph.values.size());
    std::map<int, size_t>& output_index = m_output_index;
    output_index.clear();
    for (size_t i = 0; i < m_graph.outputs.size(); ++i) output_index[m_graph.outputs[i]] = i;
    for (size_t v = 0; v < m_graph.values.size(); ++v) {
        const Value& value = m_graph.values[v];
        const Plan::Slot& slot = m_plan.slots[v];
        ops::TensorView& view = views[v];
        view.dtype = value.dtype;
        view.shape = value.shape;
        switch (slot.place) {
            case Plan::Place::Constant: view.data = value.constant->data; break;
            case Plan::Place::Arena: view.data = arena_base + slot.offset; break;
            default: view.data = nullptr; break;
        }
    }
    for (size_t i = 0; i < m_graph.inputs.size(); ++i) {
        views[static_cast<size_t>(m_graph.inputs[i])].data = inputs[i]->get_memory_ptr();
    }
    // Outputs of known shape are written straight into the output tensors.
    for (size_t i = 0; i < m_graph.outputs.size(); ++i) {
        int id = m_graph.outputs[i];
        const Value& value = m_graph.values[static_cast<size_t>(id)];
        if (m_plan.slots[static_cast<size_t>(id)].place == Plan::Place::Output && value.shape_known) {
            Layout layout = to_layout(value.dtype, value.shape);
            if (outputs[i]->get_layout() != layout) outputs[i]->set_layout(layout);
            views[static_cast<size_t>(id)].data = outputs[i]->get_memory_ptr();
        }
    }
    auto allocate = [&](int id, LiteDataType dtype, const ops::Shape& shape) -> void* {
        auto found = output_index.find(id);
        if (found != output_index.end()) {
            auto& tensor = outputs[found->second];
            Layout layout = to_layout(dtype, shape);
            if (tensor->get_layout() != layout) tensor->set_layout(layout);
            return tensor->get_memory_ptr();
        }
        auto& buffer = m_dynamic[static_cast<size_t>(id)];
        buffer.resize(std::max<size_t>(static_cast<size_t>(ops::numel(shape)) * dtype_size(dtype), 1));
        return buffer.data();
    };
    // Device side of the run: the arena (wrapped once) and the IO tensors device kernels use (wrapped per run,
    // as their memory may change between runs) belong to the host or to the device; ownership changes only where
    // a device node follows a CPU node or the other way round. The guard hands everything back to the host and
    // unwraps the IO memory, also when a kernel throws.
    struct DeviceRun {
        backend::DeviceStream* stream = nullptr;
        std::vector<backend::Allocation> regions;  // [0] the arena, then the IO tensors
        std::vector<bool> attached;                // per region: the device's own memory (attach), not wrapped
        std::map<int, std::pair<size_t, size_t>> io_region;  // value id -> index in regions, byte offset in it
        bool device_owns = false;
        void to_device() {
            if (device_owns) return;
            for (const auto& r : regions) stream->to_device(r);
            device_owns = true;
        }
        void to_host() {
            if (!device_owns) return;
            for (const auto& r : regions) stream->to_host(r);
            device_owns = false;
        }
        ~DeviceRun() {
            if (!stream) return;
            try {
                to_host();
            } catch (...) {  // the failure was reported by the run that threw; unwrapping still frees the IO
            }
            for (size_t i = 1; i < regions.size(); ++i) {
                if (attached[i]) {
                    stream->detach(regions[i]);
                } else {
                    stream->unwrap_host(regions[i]);
                }
            }
        }
    } device_run;
    const bool any_device = !m_device_io.empty() || std::any_of(m_device_kernels.begin(), m_device_kernels.end(), [](const auto& k) { return k != nullptr; });
    if (any_device) {
        device_run.stream = m_device.stream;
        if (arena_base != m_arena_wrapped || arena.capacity() != m_arena_wrapped_bytes) {
            if (m_arena_wrap.handle) m_device.stream->unwrap_host(m_arena_wrap);
            m_arena_wrap = {};
            m_arena_wrap = m_device.stream->wrap_host(arena_base, arena.capacity());
            m_arena_wrapped = arena_base, m_arena_wrapped_bytes = arena.capacity();
        }
        device_run.regions.push_back(m_arena_wrap);
        device_run.attached.push_back(false);
        std::map<int, const Tensor*> io_tensors;
        for (size_t i = 0; i < m_graph.inputs.size(); ++i) io_tensors[m_graph.inputs[i]] = inputs[i].get();
        for (size_t i = 0; i < m_graph.outputs.size(); ++i) io_tensors[m_graph.outputs[i]] = outputs[i].get();
        std::map<void*, size_t> attached;  // device buffers already attached (tensors sharing memory), by handle
        for (int v : m_device_io) {
            // A tensor of the network's device (device IO: LiteIO isHost false, or a device tensor bound with
            // shareMemoryWith) is used as it is, no copy and no wrapping; host tensors are wrapped for the run.
            auto io = io_tensors.find(v);
            std::shared_ptr<Storage> storage = io != io_tensors.end() ? io->second->get_storage() : nullptr;
            if (storage && storage->device() == m_device.backend->type() && storage->device_id() == m_device.device_id) {
                const backend::Allocation& allocation = storage->allocation();
                auto known = attached.find(allocation.handle);
                if (known == attached.end()) {
                    m_device.stream->attach(allocation);
                    known = attached.emplace(allocation.handle, device_run.regions.size()).first;
                    device_run.regions.push_back(allocation);
                    device_run.attached.push_back(true);
                }
                device_run.io_region[v] = {known->second, io->second->get_storage_offset()};
                continue;
            }
            const ops::TensorView& view = views[static_cast<size_t>(v)];
            device_run.io_region[v] = {device_run.regions.size(), 0};
            device_run.regions.push_back(m_device.stream->wrap_host(view.data, view.nbytes()));
            device_run.attached.push_back(false);
        }
    }
    auto device_tensor = [&](int v) -> backend::DeviceTensor {
        if (v < 0) return {};
        const Plan::Slot& slot = m_plan.slots[static_cast<size_t>(v)];
        if (slot.place == Plan::Place::Arena) return {m_arena_wrap.handle, slot.offset};
        auto found = device_run.io_region.find(v);
        if (found != device_run.io_region.end()) return {device_run.regions[found->second.first].handle, found->second.second};
        return {};  // a constant: the kernel holds its own copy
    };
    std::vector<backend::DeviceTensor> device_inputs, device_outputs;
    for (int n : m_plan.schedule) {
        Node& node = m_graph.nodes[static_cast<size_t>(n)];
        if (on_device(n)) {
            device_run.to_device();
            device_inputs.clear();
            device_outputs.clear();
            for (int v : node.inputs) device_inputs.push_back(device_tensor(v));
            for (int v : node.outputs) device_outputs.push_back(device_tensor(v));
            backend::DeviceKernel& kernel = *m_device_kernels[static_cast<size_t>(n)];
            if (profile) {
                auto start = std::chrono::steady_clock::now();
                kernel.run(*m_device.stream, device_inputs, device_outputs);
                m_device.stream->finish();  // the node's own time, not its enqueueing
                auto end = std::chrono::steady_clock::now();
                auto us = [](auto t) { return std::chrono::duration<double, std::micro>(t.time_since_epoch()).count(); };
                profile->push_back({node.name, node.op_type + (node.fused.empty() ? "" : "+" + node.fused) + "@" + m_device.backend->name(),
                                    us(start), us(end) - us(start)});
            } else {
                kernel.run(*m_device.stream, device_inputs, device_outputs);
            }
            continue;
        }
        device_run.to_host();
        if (node.dynamic) {
            // Shapes of this run: infer with every input's actual value, into a scratch copy of the values.
            Graph& graph = m_graph;
            std::vector<std::pair<LiteDataType, ops::Shape>> saved;
            for (int v : node.inputs) {
                if (v < 0) continue;
                Value& value = graph.values[static_cast<size_t>(v)];
                value.dtype = views[static_cast<size_t>(v)].dtype;
                value.shape = views[static_cast<size_t>(v)].shape;
                value.shape_known = true;
            }
            GraphInferContext ctx(graph, node, [&](int id) -> const ops::TensorView* { return &views[static_cast<size_t>(id)]; });
            node.kernel->infer(ctx);
            for (int v : node.outputs) {
                if (v < 0) continue;
                Value& value = graph.values[static_cast<size_t>(v)];
                views[static_cast<size_t>(v)] = ops::TensorView{nullptr, value.dtype, value.shape};
                value.shape_known = false;  // stays dynamic for the next run's plan
            }
        }
        GraphRunContext ctx(node, views, m_pool, allocate);
        if (profile) {
            auto start = std::chrono::steady_clock::now();
            node.kernel->run(ctx);
            auto end = std::chrono::steady_clock::now();
            auto us = [](auto t) { return std::chrono::duration<double, std::micro>(t.time_since_epoch()).count(); };
            profile->push_back({node.name, node.op_type + (node.fused.empty() ? "" : "+" + node.fused) + (has_device() ? "@cpu" : ""),
                                us(start), us(end) - us(start)});
        } else {
            node.kernel->run(ctx);
        }
    }
    device_run.to_host();
    // Outputs that are constants, inputs or computed elsewhere (aliases) are copied into the output tensors.
    for (size_t i = 0; i < m_graph.outputs.size(); ++i) {
        int id = m_graph.outputs[i];
        const Plan::Slot& slot = m_plan.slots[static_cast<size_t>(id)];
        if (slot.place != Plan::Place::Constant && slot.place != Plan::Place::Input) continue;
        const ops::TensorView& view = views[static_cast<size_t>(id)];
        Tensor source(LITE_CPU, to_layout(view.dtype, view.shape));
        source.reset(view.data, source.get_layout());
        outputs[i]->copy_from(source);
    }
}

}  // namespace lite
