#include "core/planner.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "lite/common.h"

namespace lite {

Plan plan_memory(const Graph& graph) {
    Plan plan;
    const size_t count = graph.values.size();
    plan.slots.resize(count);
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        if (!graph.nodes[n].removed) plan.schedule.push_back(static_cast<int>(n));
    }
    // Weights: constants that a scheduled node reads or that are outputs, each buffer once.
    std::set<const ConstantBuffer*> weights;
    auto count_weight = [&](int v) {
        if (v >= 0 && graph.values[static_cast<size_t>(v)].is_constant() &&
            weights.insert(graph.values[static_cast<size_t>(v)].constant.get()).second) {
            plan.weight_bytes += graph.values[static_cast<size_t>(v)].constant->bytes;
        }
    };
    for (int n : plan.schedule) {
        for (int v : graph.nodes[static_cast<size_t>(n)].inputs) count_weight(v);
    }
    for (int v : graph.outputs) count_weight(v);
    for (size_t v = 0; v < count; ++v) {
        const Value& value = graph.values[v];
        Plan::Slot& slot = plan.slots[v];
        if (value.is_constant()) {
            slot.place = Plan::Place::Constant;
        } else if (value.is_input) {
            slot.place = Plan::Place::Input;
        } else if (value.is_output) {
            slot.place = Plan::Place::Output;
        } else if (!value.shape_known) {
            slot.place = Plan::Place::Dynamic;
            ++plan.dynamic_values;
        } else if (value.producer >= 0) {
            slot.place = Plan::Place::Arena;
            slot.bytes = (value.nbytes() + kAlignment - 1) / kAlignment * kAlignment;
        }
    }
    // Lifetimes in schedule steps; in-place outputs join their input's group (root).
    std::vector<int> step_of(graph.nodes.size(), -1);
    for (size_t s = 0; s < plan.schedule.size(); ++s) step_of[static_cast<size_t>(plan.schedule[s])] = static_cast<int>(s);
    std::vector<int> first(count, -1), last(count, -1), root(count);
    std::iota(root.begin(), root.end(), 0);
    for (size_t v = 0; v < count; ++v) {
        if (plan.slots[v].place != Plan::Place::Arena) continue;
        first[v] = step_of[static_cast<size_t>(graph.values[v].producer)];
        last[v] = first[v];
        for (int consumer : graph.values[v].consumers) last[v] = std::max(last[v], step_of[static_cast<size_t>(consumer)]);
    }
    for (int n : plan.schedule) {
        const Node& node = graph.nodes[static_cast<size_t>(n)];
        if (!node.kernel->inplace_ok() || node.inputs.empty() || node.outputs.empty()) continue;
        int in = node.inputs[0], out = node.outputs[0];
        if (in < 0 || out < 0) continue;
        auto& in_slot = plan.slots[static_cast<size_t>(in)];
        auto& out_slot = plan.slots[static_cast<size_t>(out)];
        if (in_slot.place != Plan::Place::Arena || out_slot.place != Plan::Place::Arena) continue;
        // Exactly the same bytes (not just the same rounded slot): a broadcasting op may not grow its input.
        const Value& in_value = graph.values[static_cast<size_t>(in)];
        const Value& out_value = graph.values[static_cast<size_t>(out)];
        if (in_value.nbytes() != out_value.nbytes() || in_value.dtype != out_value.dtype) continue;
        int r = root[static_cast<size_t>(in)];
        if (last[static_cast<size_t>(r)] != step_of[static_cast<size_t>(n)]) continue;  // the input is read later
        // Other inputs of this node in the same group can only be the same value (Add(x, x)): a value that
        // was overwritten in place has no later readers. Elementwise kernels read element i before writing it.
        root[static_cast<size_t>(out)] = r;
        last[static_cast<size_t>(r)] = std::max(last[static_cast<size_t>(r)], last[static_cast<size_t>(out)]);
        out_slot.in_place = true;
    }
    // Greedy placement of groups, largest first, at the lowest offset free during the group's lifetime.
    std::vector<int> groups;
    for (size_t v = 0; v < count; ++v) {
        if (plan.slots[v].place == Plan::Place::Arena && root[v] == static_cast<int>(v)) groups.push_back(static_cast<int>(v));
    }
    std::stable_sort(groups.begin(), groups.end(), [&](int a, int b) {
        return plan.slots[static_cast<size_t>(a)].bytes > plan.slots[static_cast<size_t>(b)].bytes;
    });
    std::vector<int> placed;
    for (int g : groups) {
        auto& slot = plan.slots[static_cast<size_t>(g)];
        std::vector<std::pair<size_t, size_t>> busy;  // [offset, end) of overlapping groups
        for (int p : placed) {
            if (first[static_cast<size_t>(p)] <= last[static_cast<size_t>(g)] && first[static_cast<size_t>(g)] <= last[static_cast<size_t>(p)]) {
                const auto& other = plan.slots[static_cast<size_t>(p)];
                busy.emplace_back(other.offset, other.offset + other.bytes);
            }
        }
        std::sort(busy.begin(), busy.end());
        size_t offset = 0;
        for (const auto& [begin, end] : busy) {
            if (offset + slot.bytes <= begin) break;
            offset = std::max(offset, end);
        }
        slot.offset = offset;
        plan.arena_bytes = std::max(plan.arena_bytes, offset + slot.bytes);
        placed.push_back(g);
    }
    for (size_t v = 0; v < count; ++v) {
        if (plan.slots[v].place == Plan::Place::Arena && root[v] != static_cast<int>(v)) {
            plan.slots[v].offset = plan.slots[static_cast<size_t>(root[v])].offset;
        }
    }
    return plan;
}

}  // namespace lite
