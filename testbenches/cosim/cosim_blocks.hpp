// The blocks the co-simulation knows (each an RTL top Verilated with fixed parameters, next to
// its SystemC model) and one run of one of them: stimulus, rates, which faces, mutation.
// A run elaborates a SystemC simulation, so a process runs at most one (TOOLCHAIN.md trap 3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/rccm/rccm_topology.hpp"
#include "testbenches/cosim/cosim_bench.hpp"
#include "testbenches/cosim/cosim_mutation.hpp"
#include "testbenches/cosim/xnor_pe_array_model.hpp"

namespace qsim::cosim {

struct BlockInfo {
    std::string name;
    enum class Kind { Rccm, PeArray } kind = Kind::Rccm;
    // Rccm
    RccmKind rccm = RccmKind::Add2;
    bool pipelined = false;
    int input_bits = 8;
    bool input_signed = true;
    // PeArray
    PeArrayShape shape;
    std::string description() const;
};

const std::vector<BlockInfo>& cosim_blocks();
const BlockInfo& find_block(const std::string& name);  // throws std::invalid_argument

struct RunOptions {
    std::string block;
    // Rccm: "codes" (every select code x the extreme inputs), "exhaustive" (every code x every
    // input), "random" (count random pairs), "mixed" (codes, then count random pairs).
    // PeArray: "extremes" (all +1, all -1, channel 0's weights and their negation, alternating,
    // then count random vectors), "random" (count random vectors).
    std::string stimulus = "mixed";
    uint64_t count = 1000;
    uint64_t seed = 1;
    std::string rate = "always";   // input-rate pattern (cosim_pattern.hpp)
    std::string ready = "always";  // out_ready pattern
    std::string sides = "both";    // "both", "model" or "rtl"
    Mutation mutation;
    std::string vcd;               // VCD file of every pin of both faces ("" = none)
    std::string per_cycle;         // CSV of every cycle of the first face ("" = none)
    uint64_t cycles = 0;           // > 0: run exactly this many cycles on an endless stimulus
};

struct RunReport {
    BlockInfo block;
    uint64_t items = 0;             // inputs (RCCM: products; PE array: beats)
    uint64_t expected_outputs = 0;
    int latency = 0;                // clock edges from the (last) input to its result
    std::string stimulus_summary;
    BenchResult bench;
};

RunReport run_block(const RunOptions& options);

}  // namespace qsim::cosim
