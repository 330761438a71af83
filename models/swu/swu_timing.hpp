// Timing rule of the sliding-window unit (ch. 4.4.2, FINN): the write side of its line
// buffer takes `swu_write_pixels` input pixels per clock, each pixel's channels SIMD at a
// time; the read side emits each window as K*K*ceil(C/SIMD) words, MMV windows in parallel,
// and with PE reuse R emits the frame's windows once per pass. Both sides run concurrently.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// Cycles to accept one input row into the line buffer: ceil(W_in / P) * ceil(C / SIMD), P =
// the pixels the write side takes per clock.
uint64_t swu_input_cycles_per_row(const LayerConfig& l);
// Cycles to emit one output row of windows (one pass): ceil(W_out / MMV) * K * K * ceil(C / SIMD).
uint64_t swu_window_cycles_per_row(const LayerConfig& l);
// Cycles per frame of each side: H_in input rows; H_out window rows times the reuse passes.
uint64_t swu_input_cycles_per_frame(const LayerConfig& l);
uint64_t swu_window_cycles_per_frame(const LayerConfig& l);
// Line buffer capacity in input rows.
int swu_buffer_rows(const LayerConfig& l);

}  // namespace qsim
