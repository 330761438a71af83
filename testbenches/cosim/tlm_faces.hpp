// The row-level ("TLM") face of the co-simulation study: each co-simulated block's work done
// the way the dataflow simulation does it, as row transactions through the MVTU module
// (models/mvtu) between row FIFOs, so that its wall time can be set against the Verilated RTL
// delivering the same results at pin level (cosim_study's TLM : RTL column, docs/cosim.md).
//   PE array: the fc layer of its geometry (pe_array_layer, pe_array_params), one input
//   vector a transaction; results = output beats of PE channels, NF beats a vector.
//   RCCM: an fc layer of 64 inputs x 16 channels whose weights are select codes of the
//   block's RCCM, PE = SIMD = 1 (one product a clock, as the RTL block); results = products.
// The TLM run elaborates a SystemC simulation: one per process, as every face.
#pragma once

#include <cstdint>

#include "testbenches/cosim/cosim_blocks.hpp"

namespace qsim::cosim {

struct TlmRun {
    uint64_t results = 0;       // results computed (at least those asked for)
    uint64_t transactions = 0;  // rows through the MVTU
    uint64_t cycles = 0;        // simulated clock cycles
    double wall_seconds = 0;    // wall time of sc_start
};

// Computes at least `results` results of block `b` at row level from seeded parameters and inputs.
TlmRun run_tlm(const BlockInfo& b, uint64_t results, uint64_t seed);

}  // namespace qsim::cosim
