// The golden reference's activations (contract in golden_reference.hpp): of one accumulator,
// and of the runs of output positions a conv or fc layer's matrix product gives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim::golden {

// "golden: layer 'NAME' (TYPE): ", the start of every message about a layer.
std::string describe(const LayerConfig& layer);

// Activation of output channel n applied to the dot product `acc`.
int32_t activate(const LayerConfig& layer, const LayerParams& params, int n, int64_t acc);

// out[i] = activate(layer, params, i % C, scale * acc[i]) over runs of whole output positions
// (C = layer.out.channels, channel fastest): the threshold count over the channels of a
// position level by level, the other activations value by value.
class PositionActivation {
public:
    PositionActivation(const LayerConfig& layer, const LayerParams& params, int64_t scale);
    void operator()(const int64_t* acc, int64_t values, int32_t* out);

private:
    const LayerConfig& layer_;
    const LayerParams& params_;
    int64_t scale_;
    int levels_ = 0;                 // thresholds per channel; 0: value by value
    std::vector<int32_t> by_level_;  // thresholds[n * levels + j] at [j * C + n]
    std::vector<int32_t> value_;     // one position's scaled accumulators
};

}  // namespace qsim::golden
