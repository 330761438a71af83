// Where the analytical interval (dataflow_timing.hpp: the slowest block's cycles per frame)
// cannot be trusted: a block that sends or takes a frame in a burst larger than the buffering
// between it and its neighbour couples the two, and the closed form, which sees each block
// alone, misses the stall. Each doubt names the burst, the buffering and the interval the
// coupled pair may need; a sweep marks such points `needs simulation` and simulates them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

struct EstimateDoubt {
    std::string layer;        // the layer whose burst it is
    uint64_t coupled_cycles;  // cycles per frame the coupled blocks may need
    std::string why;          // one sentence with the numbers
};

// The doubts about `est` (computed from `net`) beyond `tolerance` (0.02: a coupled interval
// more than 2% above the estimate); empty when the closed form holds.
std::vector<EstimateDoubt> estimate_doubts(const NetworkConfig& net, const DataflowEstimate& est,
                                           double tolerance = 0.02);
// The same given the estimate's interval alone.
std::vector<EstimateDoubt> estimate_doubts(const NetworkConfig& net, uint64_t interval_cycles, double tolerance = 0.02);

}  // namespace qsim
