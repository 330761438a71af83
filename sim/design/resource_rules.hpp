// The resource settings a layer's derivation resolves (docs/resources.md): the memory styles
// it sets (the others follow resources.ram_style when resources are estimated) and how its
// multipliers are built when `multipliers` is `auto`.
#pragma once

#include "models/network/network_config.hpp"
#include "sim/design/spec.hpp"

namespace qsim::design {

// Products of fewer bits than this in either operand go to LUTs under `multipliers: auto`
// (FINN builds an MVAU on DSP slices only when weights and activations both have at least
// 4 bits; narrower ones stay in its HLS variant, whose products Vivado builds in LUTs).
inline constexpr int kDspMinOperandBits = 4;

// The kinds `s` gives, each with its style; the others unset.
RamStyles ram_styles(const RamStyleSpec& s);

// L.multipliers from the given setting; `auto`: LUTs for a DSP-MAC layer with weights or
// inputs of fewer than kDspMinOperandBits bits, DSP slices otherwise. Needs L's datapath,
// weights and in_bits.
void resolve_multipliers(LayerConfig& L, Multipliers given);

}  // namespace qsim::design
