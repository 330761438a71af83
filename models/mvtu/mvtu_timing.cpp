#include "models/common/int_math.hpp"
#include "models/mvtu/mvtu_timing.hpp"

namespace qsim {

uint64_t mvtu_synapse_folds(const LayerConfig& l) { return ceil_div(l.fan_in(), l.folding.simd); }

uint64_t mvtu_neuron_folds(const LayerConfig& l) { return ceil_div(l.out.channels, l.folding.pe); }

uint64_t mvtu_cycles_per_row(const LayerConfig& l) {
    const uint64_t pixel_groups =
        l.type == LayerType::Conv ? ceil_div(l.out.width, l.folding.mmv) : 1;
    return pixel_groups * mvtu_synapse_folds(l) * mvtu_neuron_folds(l);
}

uint64_t mvtu_cycles_per_frame(const LayerConfig& l) {
    return l.type == LayerType::Conv
               ? mvtu_cycles_per_row(l) * uint64_t(l.out.height) * uint64_t(l.reuse)
               : mvtu_cycles_per_row(l);
}

uint64_t mvtu_lanes(const LayerConfig& l) {
    return uint64_t(l.physical_pe()) * l.folding.simd * l.folding.mmv;
}

uint64_t mvtu_ops_per_frame(const LayerConfig& l) {
    return uint64_t(l.fan_in()) * l.out.channels * uint64_t(l.out.height) * l.out.width;
}

}  // namespace qsim
