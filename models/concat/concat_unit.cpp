#include "models/concat/concat_unit.hpp"

#include "models/concat/concat_kernel.hpp"
#include "models/concat/concat_timing.hpp"
#include "models/common/timing_only.hpp"

namespace qsim {

ConcatUnit::ConcatUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : JoinBlock(name, period, layer.name, "concat", int(layer.concat_inputs.size())), layer_(layer) {
    SC_THREAD(run);
}

void ConcatUnit::run() {
    const uint64_t cycles = concat_cycles_per_row(layer_);
    const int channels = layer_.out.channels;
    std::vector<ConcatSource> sources;
    for (;;) {
        std::vector<StreamRow> rows = take_all();
        const StreamRow& a = rows.front();
        StreamRow joined = StreamRow::shaped(a.frame, a.row, a.pixels, channels);
        sources.clear();
        for (size_t k = 0; k < rows.size(); ++k)
            sources.push_back({rows[k].data.data(), layer_.concat_inputs[k].encoding, layer_.concat_inputs[k].channels});
        if (!timing_only()) concat_pixels(sources, a.pixels, layer_.out_encoding, joined.data.data());
        busy(cycles);
        stats_.lane_cycles += cycles * uint64_t(layer_.folding.simd);
        stats_.useful_ops += uint64_t(a.pixels) * uint64_t(channels);
        const bool last = a.row == layer_.out.height - 1;
        const int frame = a.frame;
        give(out, std::move(joined));
        if (last) frame_done(frame);
    }
}

}  // namespace qsim
