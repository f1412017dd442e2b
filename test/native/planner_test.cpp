// The memory planner and the graph passes on graphs built in the test (ModelData is plain structs).
#include <gtest/gtest.h>

#include <random>

#include "core/graph.h"
#include "core/passes.h"
#include "core/planner.h"
#include "core/thread_pool.h"
#include "lite/error.h"

using namespace lite;

namespace {

onnx::ValueInfo float_value(const std::string& name, std::vector<int64_t> dims) {
    onnx::ValueInfo info;
    info.name = name;
    info.onnx_type = static_cast<int32_t>(onnx::OnnxType::Float);
    info.has_shape = true;
    info.dims = std::move(dims);
    info.dim_params.resize(info.dims.size());
    return info;
}

onnx::NodeData node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs) {
    onnx::NodeData n;
    n.op_type = op;
    n.name = op + "_" + outputs[0];
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    return n;
}

onnx::ModelData model_of(std::vector<onnx::NodeData> nodes, std::vector<onnx::ValueInfo> inputs,
                         std::vector<onnx::ValueInfo> outputs) {
    onnx::ModelData model;
    model.ir_version = 8;
    model.opsets[""] = 13;
    model.graph.nodes = std::move(nodes);
    model.graph.inputs = std::move(inputs);
    model.graph.outputs = std::move(outputs);
    return model;
}

struct Planned {
    Graph graph;
    Plan plan;
};

Planned plan_model(const onnx::ModelData& model) {
    ThreadPool pool(1);
    ModelSource source = make_model_source(model);
    Planned planned{build_graph(source, {}), {}};
    run_passes(planned.graph, pool);
    planned.plan = plan_memory(planned.graph);
    return planned;
}

// Steps at which each arena value is alive, in schedule order.
std::pair<int, int> lifetime(const Planned& p, int v) {
    const auto& schedule = p.plan.schedule;
    auto step = [&](int n) { return static_cast<int>(std::find(schedule.begin(), schedule.end(), n) - schedule.begin()); };
    int first = step(p.graph.values[static_cast<size_t>(v)].producer), last = first;
    for (int c : p.graph.values[static_cast<size_t>(v)].consumers) last = std::max(last, step(c));
    return {first, last};
}

}  // namespace

TEST(Planner, ChainReusesOneBuffer) {
    auto model = model_of({node("Add", {"x", "x"}, {"a"}), node("Relu", {"a"}, {"b"}), node("Relu", {"b"}, {"c"}),
                           node("Relu", {"c"}, {"y"})},
                          {float_value("x", {1, 64})}, {float_value("y", {1, 64})});
    Planned p = plan_model(model);
    EXPECT_EQ(p.plan.arena_bytes, 256u);
    int b = p.graph.find_value("b"), c = p.graph.find_value("c");
    EXPECT_TRUE(p.plan.slots[static_cast<size_t>(b)].in_place);
    EXPECT_TRUE(p.plan.slots[static_cast<size_t>(c)].in_place);
    EXPECT_EQ(p.plan.slots[static_cast<size_t>(p.graph.find_value("y"))].place, Plan::Place::Output);
    EXPECT_EQ(p.plan.slots[static_cast<size_t>(p.graph.find_value("x"))].place, Plan::Place::Input);
}

TEST(Planner, NoInPlaceWhenTheInputIsReadLater) {
    // a feeds Relu (b) and a later Add: b cannot overwrite a.
    auto model = model_of({node("Add", {"x", "x"}, {"a"}), node("Relu", {"a"}, {"b"}), node("Add", {"a", "b"}, {"y"})},
                          {float_value("x", {8})}, {float_value("y", {8})});
    Planned p = plan_model(model);
    int a = p.graph.find_value("a"), b = p.graph.find_value("b");
    EXPECT_FALSE(p.plan.slots[static_cast<size_t>(b)].in_place);
    EXPECT_NE(p.plan.slots[static_cast<size_t>(a)].offset, p.plan.slots[static_cast<size_t>(b)].offset);
}

TEST(Planner, NoInPlaceWhenBroadcastingGrowsTheInput) {
    // t is [3]; Add(t, w[2,3]) is [2,3]: it cannot be written over t, whatever the rounded slot sizes.
    auto model = model_of({node("Relu", {"x"}, {"t"}), node("Add", {"t", "w"}, {"u"}), node("Relu", {"u"}, {"y"})},
                          {float_value("x", {3}), float_value("w", {2, 3})}, {float_value("y", {2, 3})});
    Planned p = plan_model(model);
    EXPECT_FALSE(p.plan.slots[static_cast<size_t>(p.graph.find_value("u"))].in_place);
}

// Random DAGs of Add/Relu: any two arena values alive at the same step occupy disjoint bytes, unless one was
// computed in place of the other.
TEST(Planner, RandomGraphsNeverOverlapLiveValues) {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 60; ++trial) {
        std::vector<onnx::NodeData> nodes;
        std::vector<std::string> names = {"x"};
        int count = 3 + static_cast<int>(rng() % 12);
        for (int i = 0; i < count; ++i) {
            std::string out = "v" + std::to_string(i);
            const std::string& a = names[rng() % names.size()];
            if (rng() % 2) {
                nodes.push_back(node("Relu", {a}, {out}));
            } else {
                nodes.push_back(node("Add", {a, names[rng() % names.size()]}, {out}));
            }
            names.push_back(out);
        }
        // Every value without a consumer becomes an output, so nothing is dead.
        std::vector<onnx::ValueInfo> outputs;
        for (size_t i = 1; i < names.size(); ++i) {
            bool used = false;
            for (const auto& n : nodes) {
                for (const auto& in : n.inputs) used = used || in == names[i];
            }
            if (!used) outputs.push_back(float_value(names[i], {4 + trial % 5}));
        }
        Planned p = plan_model(model_of(nodes, {float_value("x", {4 + trial % 5})}, outputs));
        std::vector<int> arena;
        for (size_t v = 0; v < p.graph.values.size(); ++v) {
            if (p.plan.slots[v].place == Plan::Place::Arena) arena.push_back(static_cast<int>(v));
        }
        for (int u : arena) {
            for (int w : arena) {
                if (u >= w) continue;
                auto [uf, ul] = lifetime(p, u);
                auto [wf, wl] = lifetime(p, w);
                if (uf > wl || wf > ul) continue;  // not alive together
                const auto& su = p.plan.slots[static_cast<size_t>(u)];
                const auto& sw = p.plan.slots[static_cast<size_t>(w)];
                bool disjoint = su.offset + su.bytes <= sw.offset || sw.offset + sw.bytes <= su.offset;
                bool handover = (su.in_place || sw.in_place) && su.offset == sw.offset && (ul == wf || wl == uf);
                EXPECT_TRUE(disjoint || handover) << "trial " << trial << ": " << p.graph.values[static_cast<size_t>(u)].name
                                                  << " and " << p.graph.values[static_cast<size_t>(w)].name;
            }
        }
    }
}

TEST(Passes, ConstantSubgraphsAreFoldedAndDeadNodesRemoved) {
    onnx::NodeData constant = node("Constant", {}, {"c"});
    onnx::Attribute value;
    value.name = "value";
    value.type = onnx::Attribute::Tensor;
    value.t = std::make_shared<onnx::TensorData>();
    value.t->onnx_type = static_cast<int32_t>(onnx::OnnxType::Float);
    value.t->dims = {4};
    float data[4] = {1, -2, 3, -4};
    value.t->decoded.assign(reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + sizeof(data));
    constant.attributes.push_back(value);
    auto model = model_of({constant, node("Relu", {"c"}, {"rc"}), node("Relu", {"x"}, {"unused"}),
                           node("Add", {"x", "rc"}, {"y"})},
                          {float_value("x", {4})}, {float_value("y", {4})});
    Planned p = plan_model(model);
    ASSERT_EQ(p.plan.schedule.size(), 1u);  // only the Add runs
    EXPECT_EQ(p.graph.nodes[static_cast<size_t>(p.plan.schedule[0])].op_type, "Add");
    const Value& rc = p.graph.values[static_cast<size_t>(p.graph.find_value("rc"))];
    ASSERT_TRUE(rc.is_constant());
    const auto* folded = static_cast<const float*>(rc.constant->data);
    EXPECT_EQ(folded[0], 1.f);
    EXPECT_EQ(folded[1], 0.f);
    EXPECT_EQ(p.plan.weight_bytes, 16u);
}

TEST(Passes, ReluIsFusedIntoItsProducerWhenTheProducerAcceptsIt) {
    // Add does not take activations: nothing is fused, the Relu stays.
    auto model = model_of({node("Add", {"x", "x"}, {"a"}), node("Relu", {"a"}, {"y"})}, {float_value("x", {4})},
                          {float_value("y", {4})});
    Planned p = plan_model(model);
    EXPECT_EQ(p.plan.schedule.size(), 2u);
}
