// The quantised parameters of a network: integer weights, thresholds and requantisation
// constants per compute layer. Produced by the deterministic generator (param_generator.hpp)
// or read from a weight file (weight_file.hpp); consumed by the MVTU weight memories and by
// the golden reference.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qsim {

struct LayerParams {
    std::string layer;  // name of the layer in the config; empty for layers without parameters

    // weights[n * fan_in + s]: integer weight of output channel n, synapse s.
    // Synapse order: conv (ky, kx, c) with c fastest over the channels of n's group;
    // fc (y, x, c) of the flattened input, c fastest. Values: binary {-1,+1},
    // ternary {-1,0,+1}, uniform [-(2^(b-1)-1), 2^(b-1)-1]. Empty for rccm layers.
    std::vector<int8_t> weights;

    // RCCM layers (weights.quant = rccm, ch. 6.4-6.6): the select index of every weight, in
    // the order of `weights` (0 .. 2^select_bits - 1), and the per-layer 8-bit scale lambda_l
    // (1..255) that multiplies the accumulator after the fan-in (ch. 6.6.2).
    std::vector<uint8_t> selects;
    int32_t lambda = 1;

    // Thresholds / Bipolar activation: thresholds[n * T + j], ascending in j for each n.
    std::vector<int32_t> thresholds;

    // Relu activation: per-channel bias, per-layer multiplier and right shift (shift >= 1).
    std::vector<int32_t> bias;
    int32_t mul = 1;
    int32_t shift = 1;

    // SYQ row- or pixel-wise scaling (LayerConfig::scaling): the factor codes, K (row ky) or
    // K^2 (pixel ky*K + kx), each in 1 .. 2^bits - 1; empty for layer-wise scaling. The
    // accumulator is sum_i scales[i] * (the dot product over the synapses of row/pixel i).
    std::vector<int32_t> scales;
};

// One entry per layer of the NetworkConfig, in the same order (pooling layers have an
// entry with an empty name and no data).
struct NetworkParams {
    std::vector<LayerParams> layers;
};

}  // namespace qsim
