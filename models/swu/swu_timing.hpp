// Timing rule of the sliding-window unit (ch. 4.4.2, FINN): the write side of its line
// buffer takes one input pixel's channels SIMD at a time; the read side emits each window
// as K*K*ceil(C/SIMD) words, MMV windows in parallel. Both sides run concurrently.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// Cycles to accept one input row into the line buffer: W_in * ceil(C / SIMD).
uint64_t swu_read_cycles_per_row(const LayerConfig& l);
// Cycles to emit one output row of windows: ceil(W_out / MMV) * K * K * ceil(C / SIMD).
uint64_t swu_write_cycles_per_row(const LayerConfig& l);
// Line buffer capacity in input rows.
int swu_buffer_rows(const LayerConfig& l);

}  // namespace qsim
