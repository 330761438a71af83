// Per-cycle on/off patterns of the co-simulation harness: when the source offers a new input
// (the input rate) and when the sink takes an output (backpressure on out_ready). A pattern
// is a pure function of the cycle and its seed, so the model and the RTL see exactly the same
// one. Spec strings (command line): "always", "random:P" (on with probability P each cycle),
// "periodic:ON:OFF" (ON cycles on, then OFF cycles off), "bursts:P:LEN" (windows of LEN cycles,
// each entirely on with probability P, else entirely off).
#pragma once

#include <cstdint>
#include <string>

namespace qsim::cosim {

class Pattern {
public:
    enum class Kind { Always, Random, Periodic, Bursts };

    Pattern() = default;
    static Pattern parse(const std::string& spec, uint64_t seed);  // throws std::invalid_argument

    bool at(uint64_t cycle) const;
    const std::string& spec() const { return spec_; }
    // Fraction of cycles on, in the long run.
    double duty() const;

private:
    Kind kind_ = Kind::Always;
    double p_ = 1.0;
    uint64_t on_ = 1, off_ = 0, len_ = 1;
    uint64_t seed_ = 0;
    std::string spec_ = "always";
};

// splitmix64: the seeded hash behind every random pattern and stimulus of the harness.
uint64_t mix64(uint64_t x);

}  // namespace qsim::cosim
