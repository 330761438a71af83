// Element-wise adder (the join of a residual block, FINN's AddStreams): takes the same row of
// the same frame from both inputs, sums them value by value (add_kernel), requantises the sums
// through its threshold unit when the layer has an activation, and emits the row.
// Both inputs advance together, so a branch that falls behind holds the other back: the FIFO
// on the shorter branch must cover the longer branch's latency (docs/graphs.md).
#pragma once

#include <memory>
#include <vector>

#include "models/mvtu/threshold_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "tlm/join_block.hpp"

namespace qsim {

class AddUnit : public JoinBlock {
public:
    SC_HAS_PROCESS(AddUnit);
    // `params`: the thresholds of an add layer with an activation (unused without one).
    AddUnit(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
            sc_core::sc_time period);

private:
    void run();
    LayerConfig layer_;
    std::unique_ptr<ThresholdUnit> thresholds_;
    std::vector<int64_t> sums_;
};

}  // namespace qsim
