// SystemC model of an RCCM multiplier at pin level, the "model" face of the RTL co-simulation
// (rtl/rccm_2add.sv, rccm_3add.sv, rccm_4add.sv). Values come from the functional kernel
// (models/rccm/rccm_topology: rccm_multiply on the circuit of Table 6.3); timing from the rule
// below, derived from the circuit's structure:
//   combinational: the product of the current input; out_valid = in_valid, in_ready = out_ready;
//   pipelined: one register per adder stage, so a product leaves rccm_pipeline_latency()
//   clock edges after its input was taken; the pipeline moves while its last slot is empty or
//   being taken (in_ready = !out_valid || out_ready) and holds otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "models/rccm/rccm_topology.hpp"
#include "testbenches/cosim/cosim_mutation.hpp"

namespace qsim::cosim {

// Register stages of the pipelined circuit: its longest chain of adders (stages fed only by
// the input are one deep; a stage is one deeper than the deepest stage feeding it).
int rccm_pipeline_latency(const RccmCircuit& circuit);

struct RccmModelConfig {
    RccmKind kind = RccmKind::Add2;
    bool pipelined = false;
    int input_bits = 8;
    bool input_signed = true;
    Mutation mutation;
};

class RccmModel : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk, rst_n;
    sc_core::sc_in<bool> in_valid;
    sc_core::sc_out<bool> in_ready;
    sc_core::sc_in<uint32_t> in_sel;
    sc_core::sc_in<int32_t> in_x;
    sc_core::sc_out<bool> out_valid;
    sc_core::sc_in<bool> out_ready;
    sc_core::sc_out<int64_t> out_y;

    RccmModel(sc_core::sc_module_name name, const RccmModelConfig& config);
    SC_HAS_PROCESS(RccmModel);

    int latency() const { return pipelined_ ? latency_ : 0; }

private:
    struct Slot {
        bool valid = false;
        int64_t y = 0;
    };

    int64_t product(uint32_t select, int32_t x) const;
    bool stalled_by_mutation() const;
    void combinational();  // pipelined = false
    void clock_edge();     // pipelined = true
    void handshake();      // pipelined = true: in_ready

    RccmCircuit circuit_;
    bool pipelined_;
    int latency_;
    Mutation mutation_;
    std::vector<Slot> slots_;  // slots_[0] is filled from the input, slots_.back() is the output
    uint64_t cycle_ = 0;       // clock edges since reset
    sc_core::sc_signal<uint64_t> cycle_sig_;
};

}  // namespace qsim::cosim
