// Enumeration of the coefficient sets an RCCM architecture can realise (ch. 6.4.3,
// Table 6.1): every stage of the architecture's wiring (rccm_circuit) takes every mapping
// function sigma(s) of its topology (A: the four operations of code 11; B: its single one)
// and every hard-wired shift phi_ij in 0..phi_max; the coefficient set of each such circuit
// is its distinct coefficients. docs/rccm.md compares the counts with Table 6.1.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "models/rccm/rccm_topology.hpp"

namespace qsim {

struct RccmSearchSpace {
    int phi_max = 3;                // ch. 6.4.3: "all maximum bit shifts were set to 3"
    bool first_shift_zero = false;  // phi_i1 = 0 in every stage (as in every row of Table 6.3)
};

struct RccmSetCounts {
    uint64_t circuits = 0;                    // parameterisations of the wiring enumerated
    uint64_t sets = 0;                        // distinct coefficient sets
    uint64_t sets_with_zero = 0;              // ... of them containing 0
    uint64_t sets_up_to_scale = 0;            // distinct after dividing each set by its gcd
    uint64_t sets_up_to_scale_with_zero = 0;  // ... of them containing 0
};

// Called once per distinct coefficient set with one circuit that realises it (the first
// found) and the set, ascending.
using RccmSetVisitor = std::function<void(const RccmCircuit& circuit, const std::vector<int64_t>& set)>;

// Number of parameterisations of `wiring`'s stages in `space` (product over its stages).
uint64_t rccm_circuit_count(const RccmCircuit& wiring, const RccmSearchSpace& space);

// Enumerates the distinct coefficient sets over the parameters of `wiring`'s stages; its
// topologies and sources are kept, its mapping functions and shifts are ignored. Sets are
// told apart by 128-bit fingerprints (a collision would need ~2^64 sets). `passes` > 1
// splits the work by set size (size mod passes): the same result with 1/passes of the
// memory, for large spaces (the full 4-Add one), at the price of re-running the search.
// Throws std::invalid_argument for an invalid wiring, phi_max outside 0..kRccmMaxShift, or
// passes < 1.
RccmSetCounts rccm_enumerate_sets(const RccmCircuit& wiring, const RccmSearchSpace& space,
                                  const RccmSetVisitor& visit = {}, int passes = 1);

inline RccmSetCounts rccm_enumerate_sets(RccmKind kind, const RccmSearchSpace& space,
                                         const RccmSetVisitor& visit = {}, int passes = 1) {
    return rccm_enumerate_sets(rccm_circuit(kind), space, visit, passes);
}

// Table 6.1 as published, for comparison in reports and tests (never used to enumerate).
uint64_t rccm_published_unique_sets(RccmKind kind);

}  // namespace qsim
