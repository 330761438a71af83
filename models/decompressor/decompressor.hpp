// The hardware decompressor of thesis ch. 3.4.1 (Fig. 3.5), one lane of a decompressor-fed PE
// array: it holds the compressed weights of its output channels in its memory and, as the PEs
// ask for them (dec2pe_wt), emits the next row of its memory as (address, weight) pairs, one
// per clock, skipping the zero weights (they have no entry). The clocks a row takes travel with
// it as an annotation (the PE array waits them), so nothing ticks.
#pragma once

#include <cstdint>

#include <systemc>

#include "models/decompressor/decompressor_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

// dec2pe_wt: the stream of decoded rows, in memory order and then again from the first row
// (the memory is read once per pass of the PEs).
class WeightStreamIf : public virtual sc_core::sc_interface {
public:
    virtual const DecodedRow& next_row() = 0;
};

struct DecompressorStats {
    uint64_t rows = 0;
    uint64_t cycles = 0;   // clocks the decoder spent: one per entry
    uint64_t weights = 0;  // (address, weight) pairs emitted
    uint64_t skips = 0;    // clocks on skip entries (gaps wider than 2^b - 1)
    uint64_t zeros_skipped = 0;  // zero weights the rows held, none of which took a clock
};

class Decompressor : public sc_core::sc_module, public WeightStreamIf {
public:
    sc_core::sc_export<WeightStreamIf> dec2pe_wt;

    Decompressor(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params, int lane);

    const DecodedRow& next_row() override;
    const DecompressorKernel& kernel() const { return kernel_; }
    const DecompressorStats& stats() const { return stats_; }

private:
    DecompressorKernel kernel_;
    int64_t fan_in_;
    uint32_t next_ = 0;
    DecompressorStats stats_;
};

}  // namespace qsim
