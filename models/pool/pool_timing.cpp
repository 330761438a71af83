#include "models/common/int_math.hpp"
#include "models/pool/pool_timing.hpp"

namespace qsim {

uint64_t pool_cycles_per_row(const LayerConfig& l) {
    return uint64_t(l.out.width) * uint64_t(l.window_area()) * ceil_div(l.in.channels, l.folding.simd);
}

uint64_t global_pool_cycles_per_row(const LayerConfig& l) {
    return uint64_t(l.in.width) * ceil_div(l.in.channels, l.folding.simd);
}

uint64_t pool_cycles_per_frame(const LayerConfig& l) {
    return l.is_global_pool() ? global_pool_cycles_per_row(l) * l.in.height
                                              : pool_cycles_per_row(l) * l.out.height;
}

uint64_t pool_ops_per_frame(const LayerConfig& l) {
    return l.is_global_pool()
               ? uint64_t(l.in.elements())
               : uint64_t(l.out.elements()) * uint64_t(l.window_area());
}

}  // namespace qsim
