#include "models/eltwise/add_unit.hpp"

#include <string>

#include "models/eltwise/add_kernel.hpp"
#include "models/eltwise/add_timing.hpp"

namespace qsim {

AddUnit::AddUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "add"), in_a("in_a"), in_b("in_b"), out("out"), layer_(layer) {
    SC_THREAD(run);
}

void AddUnit::run() {
    const uint64_t cycles = add_cycles_per_row(layer_);
    const int channels = layer_.out.channels;
    for (;;) {
        StreamRow a = take(in_a);
        StreamRow b = take(in_b);
        if (a.frame != b.frame || a.row != b.row || a.pixels != b.pixels)
            SC_REPORT_FATAL(name(), ("inputs out of step: row " + std::to_string(a.row) + " of frame " +
                                     std::to_string(a.frame) + " against row " + std::to_string(b.row) + " of frame " +
                                     std::to_string(b.frame))
                                        .c_str());
        StreamRow sum = StreamRow::shaped(a.frame, a.row, a.pixels, channels);
        add_values(a.data.data(), layer_.in_encoding, b.data.data(), layer_.in2_encoding,
                   int64_t(a.pixels) * channels, sum.data.data());
        busy(cycles);
        stats_.lane_cycles += cycles * uint64_t(layer_.folding.simd);
        stats_.useful_ops += uint64_t(a.pixels) * channels;
        const bool last = a.row == layer_.out.height - 1;
        const int frame = a.frame;
        give(out, std::move(sum));
        if (last) frame_done(frame);
    }
}

}  // namespace qsim
