// Resources of each hardware block of the dataflow accelerator, from its configuration: the
// sliding-window unit's line buffer, the MVTU's weight / threshold / input memories and PE
// datapaths, pooling units, the OFM buffer of a layer with PE reuse, the FIFOs between blocks
// and the host link. Each function appends the block's parts to `items`.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/resources/memory_placement.hpp"
#include "models/resources/resources.hpp"

namespace qsim {

struct ResourceContext {
    ResourceFlow flow = ResourceFlow::Implementation;
    std::string family;  // device family: decides the DSP slice type
    BramPorts bram_ports = BramPorts::SimpleDual;  // the block RAMs' aspect ratios (bram_mapping.hpp)
    RamStyles ram_style;  // resources.ram_style: the styles of the kinds a layer does not set
};

// `ctx`: the block RAM mode and memory styles the block's memories are mapped with.
void add_swu_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);
void add_mvtu_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);
void add_pool_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);
// add: SIMD adders of the sum's width and their output register; with an activation, the
// threshold unit after them (threshold memories and comparators).
void add_adder_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);
// concat: the output word register (the channels are wired side by side).
void add_concat_resources(const LayerConfig& l, std::vector<ResourceItem>& items);
// topk: each lane's sorted list of k (value, index) slots, and the merge of the lanes.
void add_topk_resources(const LayerConfig& l, std::vector<ResourceItem>& items);
// The stream fork after layer `l`, read by `branches` layers: an output register and a
// handshake per branch (its branch FIFOs are add_fifo_resources items).
void add_fork_resources(const LayerConfig& l, int branches, std::vector<ResourceItem>& items);
void add_ofm_buffer_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items);
// A FIFO of `depth_rows` rows of `row_bits` bits carried `word_bits` per clock, after `layer`
// ("" for the input FIFO), built as `style` says (its layer's ram_style.fifos).
void add_fifo_resources(const std::string& layer, int depth_rows, uint64_t row_bits, uint64_t word_bits,
                        std::vector<ResourceItem>& items, BramPorts ports = BramPorts::SimpleDual,
                        MemoryStyle style = MemoryStyle::Auto);
void add_host_link_resources(std::vector<ResourceItem>& items);

// The item helpers every block uses: a memory replicated `copies` times (placed as
// memory_placement.hpp says), a piece of logic, and the loop counters over `ranges` (a
// counter of b bits: 2b LUTs and b FFs). memory_request: a memory of kind `kind` of layer `l`,
// in the style the layer sets for it, else resources.ram_style's.
MemoryRequest memory_request(const LayerConfig& l, MemoryKind kind, const ResourceContext& ctx);
ResourceItem memory_item(std::string layer, std::string block, std::string part,
                         uint64_t copies, uint64_t depth, uint64_t width, const MemoryRequest& req);
ResourceItem logic_item(std::string layer, std::string block, std::string part,
                        uint64_t lut, uint64_t ff, std::string rule);
ResourceItem control_item(std::string layer, std::string block,
                          std::initializer_list<uint64_t> ranges);

}  // namespace qsim
