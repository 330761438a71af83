// Resources of the AddNet designs (thesis ch. 6.6-6.7): the RCCM PE datapaths, the activation
// unit after the fan-in of the Alpha Data layer core (Fig. 6.7b) with the RCCM layers' scale
// lambda, and the loopback architecture's single-layer accelerator (ch. 6.6.3). The rules and
// constants are in docs/resources.md; they use the same constants as every other block.
#pragma once

#include <vector>

#include "models/network/network_config.hpp"
#include "models/resources/block_resources.hpp"
#include "models/resources/resources.hpp"

namespace qsim {

// Per PE per MMV lane: SIMD RCCMs on the layer's input (the LUTs of their stages' ripple-carry
// adders, pipelined: as many FFs) and the adder tree over their products.
void add_rccm_datapath_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);

// Lanes after the fan-in: the PE array delivers PE x MMV accumulators every SF = fan_in / SIMD
// cycles and a serial lane takes one per clock, so ceil(PE x MMV / SF) lanes (at least one).
uint64_t fan_in_lanes(const LayerConfig& l);

// The activation unit after the fan-in (activation_unit: after_fan_in), per lane: the scale
// multiplier lambda_l x acc (RCCM layers), then the threshold comparators with their memories
// (one entry per channel the lane serves) or the ReLU requantisation. Multipliers are DSP slices
// or, with `multipliers: lut`, LUT multipliers.
void add_fan_in_activation_resources(const LayerConfig& l, const ResourceContext& ctx,
                                     std::vector<ResourceItem>& items);

// The loopback accelerator (host.architecture: loopback): one PE array of loopback_pes PEs x
// loopback_simd lanes that computes every layer in turn. It is an MVTU built for the most
// demanding compute layer (datapath and operand widths) with weight memories for the largest
// fan-in and channel count, a feature buffer of K + S input rows for the largest conv/pool
// layer, and a pooling unit of loopback_pes lanes when the network has pooling layers.
void add_loopback_resources(const NetworkConfig& net, const ResourceContext& ctx, std::vector<ResourceItem>& items);

// The MVTU-shaped layer add_loopback_resources charges (an fc layer of the engine's geometry).
LayerConfig loopback_engine_layer(const NetworkConfig& net);

}  // namespace qsim
