#include "models/common/int_math.hpp"
#include "models/swu/swu_timing.hpp"

#include <algorithm>

#include "models/swu/window_kernel.hpp"

namespace qsim {

int swu_channel_lanes(const LayerConfig& l) { return l.is_depthwise() ? l.physical_pe() : l.folding.simd; }

uint64_t swu_window_values_per_cycle(const LayerConfig& l) {
    return l.is_depthwise() ? uint64_t(l.physical_pe()) * uint64_t(l.folding.simd) : uint64_t(l.folding.simd);
}

uint64_t swu_input_cycles_per_row(const LayerConfig& l) {
    return ceil_div(l.in.width, l.swu_write_pixels) * ceil_div(l.in.channels, swu_channel_lanes(l));
}

uint64_t swu_window_cycles_per_row(const LayerConfig& l) {
    const uint64_t area = uint64_t(l.window_area());
    const uint64_t per_pixel = l.is_depthwise()
                                   ? ceil_div(l.in.channels, l.physical_pe()) * ceil_div(area, l.folding.simd)
                                   : area * ceil_div(l.in.channels, l.folding.simd);
    return ceil_div(l.out.width, l.folding.mmv) * per_pixel;
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

int swu_frame_boundary_rows(const LayerConfig& l) {
    if (l.out.height <= 0 || l.in.height <= 0) return 0;
    const int H = l.in.height;
    // Rows of this frame still held while the last window row goes out (rows above its
    // first row are released before it), and rows the next frame's first window row needs.
    const int held = H - std::max(0, swu_first_input_row(l, l.out.height - 1));
    const int first_needed = std::min(swu_first_input_row(l, 0) + l.kernel - 1, H - 1) + 1;
    return std::max(0, held + first_needed - swu_buffer_rows(l));
}

uint64_t swu_frame_boundary_cycles(const LayerConfig& l) {
    return uint64_t(swu_frame_boundary_rows(l)) * swu_input_cycles_per_row(l);
}

uint64_t swu_read_cycles_per_frame(const LayerConfig& l) {
    return swu_window_cycles_per_frame(l) + swu_frame_boundary_cycles(l);
}

}  // namespace qsim
