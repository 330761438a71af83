// Timing rule of the host input source: rows stream over a fixed-width input bus.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// Cycles to stream one input row: ceil(width * channels * bits / stream_bits).
uint64_t source_row_cycles(const InputConfig& in);

}  // namespace qsim
