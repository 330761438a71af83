// The FIFOs of a dataflow design, one entry each, in the order the accelerator builds them: the
// input FIFO, then per layer the FIFO after it and, where several layers read it, one branch
// FIFO per reader. Each entry says where its depth is configured, how wide its words are and
// how many words a row is, so the resource model, `sim fifo-size` and the reports agree on
// what a FIFO is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"

namespace qsim {

enum class FifoKind { Input, Layer, Branch };

struct FifoSite {
    FifoKind kind = FifoKind::Layer;
    int producer = -1;  // the layer whose output it carries; -1: the input source
    int reader = -1;    // the layer that reads it; -1: the fork (a layer FIFO before one) or the host sink
    int input = 0;      // Branch: which of the reader's inputs it is
    int depth_rows = 0;
    int frame_rows = 0;       // rows of one frame on it (the producer's output height)
    uint64_t row_bits = 0;    // bits of one row
    uint64_t word_bits = 0;   // bits it moves a clock: the producer's output word, a pixel after a fork
    std::string label;        // "stem -> b1add", "stem -> fork", "input -> stem"
    std::string field;        // where the depth is configured: layers[3].input_fifo_depths[1]

    uint64_t words_per_row() const { return word_bits ? (row_bits + word_bits - 1) / word_bits : 0; }
};

// Bits one clock moves out of a layer's output stage: the physical PEs x MMV values of a compute
// layer, SIMD values of the others.
uint64_t output_word_bits(const LayerConfig& l);

// Every FIFO of the layers built on the device (NetworkConfig::device_layer_count()).
std::vector<FifoSite> fifo_sites(const NetworkConfig& net);

}  // namespace qsim
