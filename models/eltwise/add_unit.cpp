#include "models/eltwise/add_unit.hpp"

#include "models/eltwise/add_kernel.hpp"
#include "models/eltwise/add_timing.hpp"

namespace qsim {

AddUnit::AddUnit(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
                 sc_core::sc_time period)
    : JoinBlock(name, period, layer.name, "add"), layer_(layer) {
    if (layer.activation.type != ActivationType::None) thresholds_ = std::make_unique<ThresholdUnit>(layer, params);
    SC_THREAD(run);
}

void AddUnit::run() {
    const uint64_t cycles = add_cycles_per_row(layer_);
    const int channels = layer_.out.channels;
    for (;;) {
        auto [a, b] = take_both();
        StreamRow sum = StreamRow::sized(a.frame, a.row, a.pixels, channels);  // add_row writes every code
        add_row(a.data.data(), layer_.in_encoding, b.data.data(), layer_.in2_encoding, a.pixels, channels,
                thresholds_.get(), sums_, sum.data.data());
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
