#include "models/decompressor/decompressor.hpp"

#include "models/decompressor/decompressor_timing.hpp"

namespace qsim {

Decompressor::Decompressor(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
                           int lane)
    : sc_core::sc_module(name),
      dec2pe_wt("dec2pe_wt"),
      kernel_(layer, params, lane, decompressor_lanes(layer)),
      fan_in_(layer.fan_in()) {
    dec2pe_wt.bind(*this);
}

const DecodedRow& Decompressor::next_row() {
    const DecodedRow& row = kernel_.row(int(next_));
    next_ = (next_ + 1) % uint32_t(kernel_.rows());
    ++stats_.rows;
    stats_.cycles += row.cycles;
    stats_.weights += row.entries.size();
    stats_.skips += row.cycles - 1 - row.entries.size();
    stats_.zeros_skipped += uint64_t(fan_in_) - row.entries.size();
    return row;
}

}  // namespace qsim
