#include "models/topk/topk_unit.hpp"

#include "models/common/timing_only.hpp"
#include "models/topk/topk_kernel.hpp"
#include "models/topk/topk_timing.hpp"

namespace qsim {

TopKUnit::TopKUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "topk"), in("in"), out("out"), layer_(layer) {
    SC_THREAD(run);
}

void TopKUnit::run() {
    const int channels = layer_.in.channels, k = layer_.top_k;
    TopKLists lists(k, layer_.folding.simd);
    for (;;) {
        StreamRow row = take(in);
        const int frame = row.frame;
        StreamRow labels = StreamRow::shaped(frame, 0, 1, k);
        if (!timing_only()) {
            lists.clear();
            for (int c = 0; c < channels; ++c) lists.insert(row.data[size_t(c)], c);
            lists.merge(labels.data.data());
        }
        busy(topk_input_cycles(layer_));  // the vector into the lanes
        busy(uint64_t(k));                // the merge, one index out a clock
        stats_.lane_cycles += topk_input_cycles(layer_) * uint64_t(layer_.folding.simd);
        stats_.useful_ops += uint64_t(channels);
        give(out, std::move(labels));
        frame_done(frame);
    }
}

}  // namespace qsim
