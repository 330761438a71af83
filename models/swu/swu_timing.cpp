#include "models/common/int_math.hpp"
#include "models/swu/swu_timing.hpp"

namespace qsim {

uint64_t swu_input_cycles_per_row(const LayerConfig& l) {
    return ceil_div(l.in.width, l.swu_write_pixels) * ceil_div(l.in.channels, l.folding.simd);
}

uint64_t swu_window_cycles_per_row(const LayerConfig& l) {
    return ceil_div(l.out.width, l.folding.mmv) * uint64_t(l.kernel) * l.kernel *
           ceil_div(l.in.channels, l.folding.simd);
}

uint64_t swu_input_cycles_per_frame(const LayerConfig& l) {
    return swu_input_cycles_per_row(l) * uint64_t(l.in.height);
}

uint64_t swu_window_cycles_per_frame(const LayerConfig& l) {
    return swu_window_cycles_per_row(l) * uint64_t(l.out.height) * uint64_t(l.reuse);
}

int swu_buffer_rows(const LayerConfig& l) {
    return l.swu_buffer_rows > 0 ? l.swu_buffer_rows : l.kernel + l.stride;
}

}  // namespace qsim
