// A deliberate error in the SystemC model, to prove that the co-simulation harness catches a
// wrong model (`cosim_run --mutate value|cycle`): Value changes one value the model computes
// (one RCCM coefficient, one weight of the PE array); Cycle makes the model stall for one
// cycle where the RTL does not.
#pragma once

#include <cstdint>
#include <string>

namespace qsim::cosim {

struct Mutation {
    enum class Kind { None, Value, Cycle } kind = Kind::None;
    uint32_t select = 5;  // Value, RCCM: this select word's coefficient c becomes c + 1
    uint64_t cycle = 40;  // Cycle: the model stalls during this cycle
};

}  // namespace qsim::cosim
