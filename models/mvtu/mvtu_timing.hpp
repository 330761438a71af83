// Timing rule of the matrix-vector-threshold unit (ch. 4.6.2, FINN): PE output channels x
// SIMD synapses x MMV output pixels per clock. Each input vector is consumed during the
// first of the N/PE neuron folds and reused from the PE input buffer for the others.
// With PE reuse R (conv) the folding.pe / R physical PEs compute the frame in R passes of
// N/R channels each: the same cycles per row and pass, R times the cycles per frame.
#pragma once

#include <cstdint>

#include "models/network/network_config.hpp"

namespace qsim {

uint64_t mvtu_synapse_folds(const LayerConfig& l);  // fan_in / SIMD
uint64_t mvtu_neuron_folds(const LayerConfig& l);   // N / PE
// conv: cycles for one output row (of one pass) = ceil(W_out / MMV) * synapse folds * neuron
// folds.
uint64_t mvtu_cycles_per_row(const LayerConfig& l);
// Cycles per frame (conv: H_out rows x reuse passes; fc: synapse folds * neuron folds).
uint64_t mvtu_cycles_per_frame(const LayerConfig& l);
// Physical PE x SIMD x MMV.
uint64_t mvtu_lanes(const LayerConfig& l);
// Multiply-accumulates a frame needs: fan_in * N * output pixels.
uint64_t mvtu_ops_per_frame(const LayerConfig& l);

}  // namespace qsim
