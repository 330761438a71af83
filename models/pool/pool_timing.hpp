// Timing rules of the pooling units (ch. 4.6.2: SWUs also feed pooling units; seed 000:
// global max pooling). A max-pool unit compares one window word (SIMD channels) per clock;
// the global max-pool unit compares one input pixel word per clock as rows stream in.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// Max pool fed by an SWU: W_out * K * K * ceil(C / SIMD) per output row.
uint64_t pool_cycles_per_row(const LayerConfig& l);
// Global max pool: W_in * ceil(C / SIMD) per input row.
uint64_t global_pool_cycles_per_row(const LayerConfig& l);
uint64_t pool_cycles_per_frame(const LayerConfig& l);
uint64_t pool_ops_per_frame(const LayerConfig& l);  // comparisons

}  // namespace qsim
