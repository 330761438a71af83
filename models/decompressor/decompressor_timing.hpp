// Timing rule of the decompressor-fed PE array (thesis ch. 3.4.1, 3.4.4): every decompressor
// emits one entry per clock, so a pass over its memory takes as many clocks as its channels'
// rows have entries: the nonzero weights, the skips of gaps wider than 2^b - 1 and one end of
// row each. The D lanes run side by side; a pass ends when the slowest lane ends. The P PEs of
// a lane share each decoded weight, so a pass serves P input vectors:
//   conv: cycles per frame = H_out * ceil(W_out / P) * pass  (P = folding.mmv output pixels)
//   fc  : cycles per batch of B frames = pass                (P = decompressor.batch)
// A pass of gamma-dense rows has fan_in * gamma * (1 + q / (1 - q)) + 1 entries per row on
// average, q = (1 - gamma)^(2^b - 1) the chance that a gap needs a skip, so the cycles fall in
// proportion to gamma, as the effective cost C_e = gamma (C_op + C_d / R) of ch. 3.4.4 does.
#pragma once

#include <cstdint>
#include <vector>

#include "models/network/network_config.hpp"

namespace qsim {

// Decompressor lanes D (folding.pe) and the PEs P each feeds.
int decompressor_lanes(const LayerConfig& l);
int decompressor_pes_per_lane(const LayerConfig& l);

// Expected entries of one row of fan_in weights at density gamma with delta_bits b.
double expected_row_entries(int64_t fan_in, double density, int delta_bits);

// Cycles of one pass: the slowest lane's entries (lane_cycles[d] = its pass). The expected
// pass uses decompressor.expected_density for every row.
uint64_t decompressor_pass_cycles(const std::vector<uint64_t>& lane_cycles);
uint64_t expected_pass_cycles(const LayerConfig& l);

// Passes a frame needs (conv: H_out * ceil(W_out / P); fc: 1 per batch) and cycles per frame
// from a pass (fc: a batch's pass shared by its B frames, rounded up).
uint64_t decompressor_passes_per_frame(const LayerConfig& l);
uint64_t decompressor_cycles_per_frame(const LayerConfig& l, uint64_t pass_cycles);
// The analytical estimate, from the expected pass.
uint64_t decompressor_cycles_per_frame(const LayerConfig& l);

// Initiation interval from the cycles at which each frame left the pipeline: the last interval,
// or with fc batches of B frames (which leave together) the last B frames' span over B.
uint64_t batched_interval(const std::vector<uint64_t>& done, int batch);
// The largest fc batch of a network's decompressor layers (1 when there is none).
int network_batch(const NetworkConfig& net);
// The longest single computation of a batched decompressor fc layer (its expected pass, during
// which no row moves), 0 when there is none: the watchdog must wait longer than this.
uint64_t longest_batch_pass(const NetworkConfig& net);

}  // namespace qsim
