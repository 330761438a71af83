#include "models/concat/concat_unit.hpp"

#include <string>

#include "models/concat/concat_kernel.hpp"
#include "models/concat/concat_timing.hpp"

namespace qsim {

ConcatUnit::ConcatUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "concat"), in_a("in_a"), in_b("in_b"), out("out"), layer_(layer) {
    SC_THREAD(run);
}

void ConcatUnit::run() {
    const uint64_t cycles = concat_cycles_per_row(layer_);
    const int ca = layer_.in.channels, cb = layer_.in2_channels;
    for (;;) {
        StreamRow a = take(in_a);
        StreamRow b = take(in_b);
        if (a.frame != b.frame || a.row != b.row || a.pixels != b.pixels)
            SC_REPORT_FATAL(name(), ("inputs out of step: row " + std::to_string(a.row) + " of frame " +
                                     std::to_string(a.frame) + " against row " + std::to_string(b.row) + " of frame " +
                                     std::to_string(b.frame))
                                        .c_str());
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
