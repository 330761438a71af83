#include "models/concat/concat_unit.hpp"

#include "models/concat/concat_kernel.hpp"
#include "models/concat/concat_timing.hpp"

namespace qsim {

ConcatUnit::ConcatUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : JoinBlock(name, period, layer.name, "concat"), layer_(layer) {
    SC_THREAD(run);
}

void ConcatUnit::run() {
    const uint64_t cycles = concat_cycles_per_row(layer_);
    const int ca = layer_.in.channels, cb = layer_.in2_channels;
    for (;;) {
        auto [a, b] = take_both();
        StreamRow joined = StreamRow::shaped(a.frame, a.row, a.pixels, ca + cb);
        concat_pixels(a.data.data(), layer_.in_encoding, ca, b.data.data(), layer_.in2_encoding, cb, a.pixels,
                      layer_.out_encoding, joined.data.data());
        busy(cycles);
        stats_.lane_cycles += cycles * uint64_t(layer_.folding.simd);
        stats_.useful_ops += uint64_t(a.pixels) * uint64_t(ca + cb);
        const bool last = a.row == layer_.out.height - 1;
        const int frame = a.frame;
        give(out, std::move(joined));
        if (last) frame_done(frame);
    }
}

}  // namespace qsim
