// The static memory plan: where every value lives during a run. Computed at load (and on re-plan) as plain data.
#pragma once

#include <cstddef>
#include <vector>

#include "core/graph.h"

namespace lite {

struct Plan {
    enum class Place { None, Constant, Arena, Input, Output, Dynamic };
    struct Slot {
        Place place = Place::None;
        size_t offset = 0;  //!< in the arena
        size_t bytes = 0;
        bool in_place = false;  //!< shares the arena memory of its producer's first input
    };
    std::vector<Slot> slots;    //!< one per graph value
    std::vector<int> schedule;  //!< live node indices in execution order
    size_t arena_bytes = 0;
    size_t weight_bytes = 0;
    size_t dynamic_values = 0;
};

//! Liveness-based arena: values whose lifetimes do not overlap share memory; elementwise ops whose input dies
//! at them write in place. Inputs and outputs live in the IO tensors, constants in their buffers.
Plan plan_memory(const Graph& graph);

}  // namespace lite
