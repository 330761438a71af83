#include "sim/design/resource_rules.hpp"

namespace qsim::design {

RamStyles ram_styles(const RamStyleSpec& s) {
    RamStyles out;
    for (const auto& [kind, name] : EnumText<MemoryKind>::names)
        if (s.of(kind).given) out.set(kind, s.of(kind).value);
    return out;
}

void resolve_multipliers(LayerConfig& L, Multipliers given) {
    L.multipliers_auto = given == Multipliers::Auto;
    if (!L.multipliers_auto) {
        L.multipliers = given;
        return;
    }
    const bool narrow = L.weights.bits < kDspMinOperandBits || L.in_bits < kDspMinOperandBits;
    L.multipliers = L.datapath == Datapath::DspMac && narrow ? Multipliers::Lut : Multipliers::Dsp;
}

}  // namespace qsim::design
