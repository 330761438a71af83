// Timing rule of the element-wise adder: it takes one pixel word of SIMD channels from each
// input per clock (both streams in lockstep) and emits the sum, so a row costs
// W * ceil(C / SIMD) cycles (FINN's AddStreams with PE = SIMD).
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

uint64_t add_cycles_per_row(const LayerConfig& l);
uint64_t add_cycles_per_frame(const LayerConfig& l);
// Additions per frame: one per output value.
uint64_t add_ops_per_frame(const LayerConfig& l);
// Bits of the adder's sums: the fewest that hold the sum of any two input values (the output
// width when the sum leaves as it is, the threshold unit's compare width when requantised).
int add_sum_bits(const LayerConfig& l);

}  // namespace qsim
