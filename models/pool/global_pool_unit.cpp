#include "models/pool/global_pool_unit.hpp"

#include <limits>

#include "models/pool/pool_kernel.hpp"
#include "models/pool/pool_timing.hpp"

namespace qsim {

GlobalPoolUnit::GlobalPoolUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "global_pool"), in("in"), out("out"), layer_(layer) {
    SC_THREAD(run);
}

void GlobalPoolUnit::run() {
    const uint64_t cycles = global_pool_cycles_per_row(layer_);
    const int channels = layer_.in.channels;
    for (;;) {
        const bool max = layer_.type == LayerType::GlobalMaxPool;
        StreamRow result = StreamRow::shaped(0, 0, 1, channels, max ? std::numeric_limits<int32_t>::min() : 0);
        for (int y = 0; y < layer_.in.height; ++y) {
            StreamRow row = take(in);
            result.frame = row.frame;
            if (max)
                global_max_accumulate(row.data.data(), row.pixels, channels, result.data.data());
            else
                global_sum_accumulate(row.data.data(), row.pixels, channels, layer_.in_encoding, result.data.data());
            busy(cycles);
            stats_.lane_cycles += cycles * uint64_t(layer_.folding.simd);
            stats_.useful_ops += uint64_t(row.pixels) * channels;
        }
        const int frame = result.frame;
        give(out, std::move(result));
        frame_done(frame);
    }
}

}  // namespace qsim
