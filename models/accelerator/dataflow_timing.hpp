// Analytical timing of the whole dataflow pipeline, from the same per-block timing rules
// the SystemC modules annotate: cycles each block needs per frame, the initiation interval
// (the slowest block) and the block that sets it. No simulation, no data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"

namespace qsim {

struct BlockEstimate {
    std::string layer;  // "" for the host source
    std::string role;   // "source", "swu_write", "swu_read", "mvtu", "pool", "global_pool", "add", "fork"
    uint64_t cycles_per_frame = 0;
    std::string rule;   // the formula with its numbers, e.g. "H*ceil(W*C*bits/stream) = 224*224"
};

struct DataflowEstimate {
    std::vector<BlockEstimate> blocks;
    uint64_t interval_cycles = 0;  // initiation interval: max cycles per frame over the blocks
    size_t bottleneck = 0;         // index into blocks
    double frames_per_second(double clock_hz) const {
        return interval_cycles ? clock_hz / double(interval_cycles) : 0.0;
    }
};

// `with_rules` = false leaves BlockEstimate::rule empty: the numbers alone, for sweeps that
// evaluate many design points.
DataflowEstimate estimate_dataflow(const NetworkConfig& net, bool with_rules = true);
// Its parts: the host source's block, and the blocks of layer `i` in the order estimate_dataflow()
// lists them (the SWU's write and read sides, the unit, the fork where several layers read it).
BlockEstimate source_block(const NetworkConfig& net, bool with_rules);
void append_layer_blocks(const NetworkConfig& net, size_t i, bool with_rules, std::vector<BlockEstimate>& blocks);

// Cycles per frame of the compute/pool unit of one layer (MVTU, decompressor-fed PE array, pool,
// global pool or adder).
uint64_t unit_cycles_per_frame(const LayerConfig& layer);
// The operations of a layer per frame: MACs (compute), comparisons (pooling), additions (add).
uint64_t layer_ops_per_frame(const LayerConfig& layer);
// The role of that unit in reports: "mvtu", "pool", "global_pool" or "add".
const char* unit_role(const LayerConfig& layer);
// Cycles per frame of the slowest block of one layer (its unit and, where it has one, both
// sides of its SWU): what the layer holds the pipeline's interval to.
uint64_t layer_cycles_per_frame(const LayerConfig& layer);

}  // namespace qsim
