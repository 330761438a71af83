// Timing rule of the sliding-window unit (ch. 4.4.2, FINN): the write side of its line
// buffer takes `swu_write_pixels` input pixels per clock, each pixel's channels SIMD at a
// time; the read side emits each window as K*K*ceil(C/SIMD) words, MMV windows in parallel,
// and with PE reuse R emits the frame's windows once per pass. Both sides run concurrently,
// except at a frame boundary where a line buffer of K + S rows holds too few of the next
// frame's rows (docs/designs.md, mnist_int8_cnn). A depthwise layer's SWU (FINN's depthwise
// mode) moves PE channels at a time instead: its window of one pixel is ceil(C / PE) x
// ceil(K*K / SIMD) words of PE x SIMD values.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

// Channels of a pixel the SWU moves a clock: SIMD, or a depthwise layer's PE.
int swu_channel_lanes(const LayerConfig& l);
// Values of a window one read-side word carries per MMV lane: SIMD, or depthwise PE x SIMD.
uint64_t swu_window_values_per_cycle(const LayerConfig& l);
// Cycles to accept one input row into the line buffer: ceil(W_in / P) * ceil(C / lanes), P =
// the pixels the write side takes per clock.
uint64_t swu_input_cycles_per_row(const LayerConfig& l);
// Cycles to emit one output row of windows (one pass): ceil(W_out / MMV) * K * K * ceil(C / SIMD);
// depthwise: ceil(W_out / MMV) * ceil(C / PE) * ceil(K * K / SIMD).
uint64_t swu_window_cycles_per_row(const LayerConfig& l);
// Cycles per frame of each side: H_in input rows; H_out window rows times the reuse passes.
uint64_t swu_input_cycles_per_frame(const LayerConfig& l);
uint64_t swu_window_cycles_per_frame(const LayerConfig& l);
// Line buffer capacity in input rows.
int swu_buffer_rows(const LayerConfig& l);
// Input rows the write side still has to take after the read side's last window row of a
// frame before the first window row of the next frame can go out: the rows from the last
// window's first row to the end of the frame plus the rows the next frame's first window
// covers, less what the line buffer holds (it takes the next frame's rows while the last
// window row goes out only as far as its capacity allows). 0 when the buffer holds them all.
int swu_frame_boundary_rows(const LayerConfig& l);
// The read side waits that many rows' write time at every frame boundary when the rows are
// ready upstream: swu_frame_boundary_rows * swu_input_cycles_per_row.
uint64_t swu_frame_boundary_cycles(const LayerConfig& l);
// The read side's frame time: its windows plus the frame-boundary wait.
uint64_t swu_read_cycles_per_frame(const LayerConfig& l);

}  // namespace qsim
