#include "models/concat/concat_timing.hpp"

#include "models/common/int_math.hpp"

namespace qsim {

uint64_t concat_cycles_per_row(const LayerConfig& l) {
    return uint64_t(l.out.width) * ceil_div(l.out.channels, l.folding.simd);
}

uint64_t concat_cycles_per_frame(const LayerConfig& l) { return concat_cycles_per_row(l) * uint64_t(l.out.height); }

}  // namespace qsim
