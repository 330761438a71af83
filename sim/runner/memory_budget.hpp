// The memory a simulation will need, estimated from the design before anything is elaborated,
// and the budget it must stay within: a design whose frames and buffers would not fit is
// refused with the figure it would need, instead of dying of an allocation inside SystemC.
#pragma once

#include <cstdint>
#include <string>

#include "models/network/network_config.hpp"

namespace qsim {

struct MemoryNeed {
    uint64_t bytes = 0;   // the total
    std::string largest;  // what takes most: "an input frame of 46340 x 46340 x 1 values (8.0 GiB)"
    uint64_t largest_bytes = 0;
};

// Adds `bytes` for `what` ("the expected outputs of --expect") to `need`.
void add_memory_need(MemoryNeed& need, uint64_t bytes, const std::string& what);

// What simulating `frames` frames of `net` holds at its peak: a generated or data-set input
// frame (all of a data set's frames), every FIFO and line buffer full, a row of windows per
// SWU, the parameters, the outputs kept (the final outputs; with `check`, the golden and
// simulated outputs of every layer for the frames in flight) and the weight memories. The final
// outputs of every frame count only with `keep_outputs` (SimOptions::keep_outputs).
MemoryNeed estimate_simulation_memory(const NetworkConfig& net, int frames, bool check, bool dataset_frames,
                                      bool keep_outputs = true);

// Half the physical memory, or 80% of the address-space limit (ulimit -v) when that is lower.
uint64_t default_memory_budget();

// Throws ConfigError (file: the configuration, field "memory") when `need` exceeds `budget`.
void check_memory_budget(const NetworkConfig& net, const MemoryNeed& need, uint64_t budget);

}  // namespace qsim
