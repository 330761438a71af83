// Resources of each hardware block of the dataflow accelerator, from its configuration: the
// sliding-window unit's line buffer, the MVTU's weight / threshold / input memories and PE
// datapaths, pooling units, the OFM buffer of a layer with PE reuse, the FIFOs between blocks
// and the host link. Each function appends the block's parts to `items`.
#pragma once

#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/resources/resources.hpp"

namespace qsim {

struct ResourceContext {
    ResourceFlow flow = ResourceFlow::Implementation;
    std::string family;  // device family: decides the DSP slice type
};

void add_swu_resources(const LayerConfig& l, std::vector<ResourceItem>& items);
void add_mvtu_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);
void add_pool_resources(const LayerConfig& l, std::vector<ResourceItem>& items);
void add_ofm_buffer_resources(const LayerConfig& l, std::vector<ResourceItem>& items);
// A FIFO of `depth_rows` rows of `row_bits` bits carried `word_bits` per clock, after `layer`
// ("" for the input FIFO).
void add_fifo_resources(const std::string& layer, int depth_rows, uint64_t row_bits, uint64_t word_bits,
                        std::vector<ResourceItem>& items);
void add_host_link_resources(std::vector<ResourceItem>& items);

}  // namespace qsim
