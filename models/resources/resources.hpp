// FPGA resources (LUT, FF, BRAM18, DSP) of a design, block by block, and how they sit on the
// target device. Estimated from the configuration alone (resource_model.hpp); the SystemC
// simulation never needs them. docs/resources.md gives every rule and constant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qsim {

struct Resources {
    uint64_t lut = 0;
    uint64_t ff = 0;
    uint64_t bram18 = 0;  // 18 Kb block RAMs; a BRAM36 counts as two
    uint64_t dsp = 0;
    uint64_t lutram = 0;  // LUTs used as memory (distributed RAM, SRL); counted in `lut` too
    uint64_t uram = 0;    // 288 Kb UltraRAM blocks

    Resources& operator+=(const Resources& o) {
        lut += o.lut;
        ff += o.ff;
        bram18 += o.bram18;
        dsp += o.dsp;
        lutram += o.lutram;
        uram += o.uram;
        return *this;
    }
    Resources operator*(uint64_t n) const { return {lut * n, ff * n, bram18 * n, dsp * n, lutram * n, uram * n}; }
    double bram36() const { return double(bram18) / 2.0; }
};

inline Resources operator+(Resources a, const Resources& b) { return a += b; }

// The shape of a memory part, for whoever maps it another way: `copies` memories of `depth`
// words of `width` bits of kind `kind` ("weights", "thresholds", ...), built as `style` says
// ("block", "distributed", "srl", "ultra" or "registers"; `requested` is the configured
// style, "auto" when the rule chose). In block RAM each copy takes `bram18_each` BRAM18
// (`rows` deep x `cols` wide in the aspect ratio aspect_depth x aspect_width); in LUTs
// `lut_each` LUTs; in UltraRAM `uram_each` blocks.
struct MemoryShape {
    uint64_t copies = 0, depth = 0, width = 0;
    bool true_dual = false;  // true dual-port aspect ratios (at most 18 bits per BRAM18)
    uint64_t bram18_each = 0, rows = 0, cols = 0, aspect_depth = 0, aspect_width = 0;
    std::string kind, style, requested;
    uint64_t lut_each = 0, uram_each = 0;
};

// One part of one block, e.g. layer conv2, block "mvtu", part "weight memory".
struct ResourceItem {
    std::string layer;  // "" for blocks outside the layers (the host link)
    std::string block;  // "swu", "mvtu", "pool", "global_pool", "ofm_buffer", "fifo", "host_link"
    std::string part;   // "line buffer", "weight memory", "adder trees", ...
    Resources use;
    std::string rule;   // how it was counted, with the numbers
    std::optional<MemoryShape> memory = std::nullopt;  // memory parts only
};

// The design against the device: use, percent of each resource, and what does not fit.
struct DeviceUse {
    bool known = false;  // false for the "generic" device: no counts to compare with
    Resources available;
    double lut_pct = 0, ff_pct = 0, bram_pct = 0, dsp_pct = 0;
    double lutram_pct = 0, uram_pct = 0;  // 0 where the device has none or the library does not say
    bool fits = true;
    std::vector<std::string> exceeded;  // e.g. "BRAM18: 1,643 used of 280 (587%)"
};

struct ResourceReport {
    std::string flow;   // "implementation" or "hls_estimate"
    std::string scope;  // what is counted, e.g. "layers conv1..pool5 (fc6..fc8 run on the host)"
    bool modelled = true;  // false where the architecture has no resource model yet
    std::vector<ResourceItem> items;
    Resources total;
    DeviceUse device;

    Resources layer_total(const std::string& layer) const;
    Resources block_total(const std::string& layer, const std::string& block) const;
};

}  // namespace qsim
