// What the report says about a ternary layer's weights (thesis Tables 3.2, 3.3): how many are
// nonzero and how many bytes each form takes (run-length coded at the delta width its
// decompressor reads, or at the best width for a layer without one), and what its decoders did
// in the simulation.
#pragma once

#include <cstdint>
#include <string>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

struct SparseWeightStats {
    bool enabled = false;  // a ternary layer or one with a decompressor
    bool decoded = false;  // the layer has a decompressor
    std::string encoding;  // "rle" or "huffman": what the decoders read ("" without a decompressor)
    int delta_bits = 0;
    uint64_t weights = 0, nonzeros = 0;
    uint64_t packed_bits = 0, rle_bits = 0, huffman_bits = 0;  // 2-bit dense form and both encodings
    // Simulation: decoder clocks and (address, weight) pairs per frame, all lanes together.
    uint64_t decoder_clocks_per_frame = 0;
    uint64_t decoded_weights_per_frame = 0;
};

// The sizes, from the layer's weights (empty stats for a layer that is neither ternary nor
// decompressor-fed, or whose weights are not loaded).
SparseWeightStats sparse_weight_stats(const LayerConfig& l, const LayerParams& p);

}  // namespace qsim
