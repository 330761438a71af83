// Resources of the thesis's own compute blocks, from the configuration: the decompressor-fed
// PE array of a sparse ternary layer (ch. 3.4, Fig. 3.5) in place of the MVTU, and the parts a
// SYQ row- or pixel-wise scaled MVTU adds to FINN's (ch. 5.7.2, Fig. 5.3): the scaling
// multipliers, the sub-dot product accumulators and the ring counter. docs/resources.md.
#pragma once

#include <vector>

#include "models/network/network_config.hpp"
#include "models/resources/block_resources.hpp"
#include "models/resources/resources.hpp"

namespace qsim {

// Blocks "decompressor" (per lane: compressed weight memory and decoder) and "pe_array" (the
// PEs' input buffers, add/sub accumulators, thresholds and control). The memory holds the
// entries expected at decompressor.expected_density (docs/sparse.md).
void add_decompressor_array_resources(const LayerConfig& l, const ResourceContext& ctx,
                                      std::vector<ResourceItem>& items);

// Block "mvtu" of a scaled layer: per PE and MMV lane one scaling multiplier (DSP tiles of the
// sub-dot product x factor bits) and a sub-dot product accumulator; one ring counter of K or
// K^2 factors for the unit. Nothing for layer-wise scaling (absorbed into the thresholds).
void add_syq_scaling_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);

// Block "mvtu", HLS-estimate flow only: the 32 x 32-bit product numReps x NF x SF of FINN's
// MVTU loop bound (cost::kHlsTripCountBits).
void add_hls_trip_count_resources(const LayerConfig& l, const ResourceContext& ctx,
                                  std::vector<ResourceItem>& items);

}  // namespace qsim
