#include "models/loopback/loopback_timing.hpp"

#include "models/common/int_math.hpp"

namespace qsim {

uint64_t loopback_layer_cycles(const LayerConfig& l, int pes, int simd) {
    const uint64_t out_pixels = uint64_t(l.out.height) * l.out.width;
    switch (l.type) {
        case LayerType::Conv:
        case LayerType::Fc:
            return ceil_div(l.out.channels, pes) * ceil_div(uint64_t(l.fan_in()), simd) * out_pixels;
        case LayerType::MaxPool:
        case LayerType::AvgPool:
            return out_pixels * uint64_t(l.window_area()) * ceil_div(l.in.channels, pes);
        case LayerType::GlobalMaxPool:
        case LayerType::GlobalAvgPool:
        case LayerType::Add:
        case LayerType::Concat:
            return uint64_t(l.in.height) * l.in.width * ceil_div(l.in.channels, pes);
        case LayerType::TopK:
            return ceil_div(l.in.channels, pes) + uint64_t(l.top_k);
    }
    return 0;
}

}  // namespace qsim
