// The rules a derived layer must satisfy, shared by the YAML loader (which reports a broken
// rule at the line of the offending field) and the design-space sweeps (which report it as the
// reason a design point is invalid): every folding value divides what it walks through
// (docs/config.md, "Folding rules"), the PE reuse divides the PEs, and the accumulator fits 32
// bits. Also the output channel count a compute layer derives from its filters, pruning and PE.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "models/network/network_config.hpp"

namespace qsim {

struct RuleViolation {
    std::string field;    // relative to the layer: "folding.simd", "reuse", "" for the layer itself
    std::string message;  // e.g. "must divide in_channels/groups = 30 (got 4)"
};

// The PE datapath the operand types call for (ch. 4.6.2; RCCM select indices, ch. 6.6.2):
// RCCM weights an RCCM, multi-bit weights a DSP MAC, binary weights on bipolar inputs an
// XNOR-popcount, other binary and ternary weights ADD/SUB.
Datapath derive_datapath(WeightQuant weights, Encoding input);

// Output channels N of a compute layer (ch. 4.5.2): `filters` when unpruned; grown to a multiple
// of groups x pe with grow_to_pe; pruned filters rounded (prune_round) to such a multiple, at
// least one.
int64_t derive_output_channels(const LayerConfig& l, int pe);

// The first folding rule the layer breaks (folding.simd, folding.pe, folding.mmv), in that
// order, or nothing.
std::optional<RuleViolation> check_folding(const LayerConfig& l);
// PE reuse: conv layers only, dividing folding.pe.
std::optional<RuleViolation> check_reuse(const LayerConfig& l);
// The accumulator of a compute layer must stay below 2^31.
std::optional<RuleViolation> check_accumulator(const LayerConfig& l);

}  // namespace qsim
