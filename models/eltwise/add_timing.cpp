#include "models/eltwise/add_timing.hpp"

#include "models/common/int_math.hpp"

namespace qsim {

uint64_t add_cycles_per_row(const LayerConfig& l) {
    return uint64_t(l.out.width) * ceil_div(l.out.channels, l.folding.simd);
}

uint64_t add_cycles_per_frame(const LayerConfig& l) { return add_cycles_per_row(l) * uint64_t(l.out.height); }

uint64_t add_ops_per_frame(const LayerConfig& l) { return uint64_t(l.out.elements()); }

int add_sum_bits(const LayerConfig& l) {
    const auto a = value_range(l.in_encoding, l.in_bits), b = value_range(l.in2_encoding, l.in2_bits);
    return range_bits(a.first + b.first, a.second + b.second);
}

}  // namespace qsim
