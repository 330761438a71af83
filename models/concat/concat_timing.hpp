// Timing rule of the channel concatenation: one output word of SIMD channels per clock, so a
// row costs W * ceil((C_a + C_b) / SIMD) cycles (SIMD defaults to all channels: a pixel a clock).
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

uint64_t concat_cycles_per_row(const LayerConfig& l);
uint64_t concat_cycles_per_frame(const LayerConfig& l);

}  // namespace qsim
