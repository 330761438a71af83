#include "models/pool/pool_unit.hpp"

#include "models/common/timing_only.hpp"

#include "models/pool/pool_kernel.hpp"
#include "models/pool/pool_timing.hpp"

namespace qsim {

PoolUnit::PoolUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "pool"), in("in"), out("out"), layer_(layer) {
    SC_THREAD(run);
}

void PoolUnit::run() {
    const uint64_t cycles = pool_cycles_per_row(layer_);
    const int area = layer_.window_area();
    const int channels = layer_.in.channels;
    for (;;) {
        StreamRow windows = take(in);
        // Every code is computed (a timing-only run leaves them 0).
        StreamRow row = timing_only() ? StreamRow::shaped(windows.frame, windows.row, windows.pixels, channels)
                                      : StreamRow::sized(windows.frame, windows.row, windows.pixels, channels);
        if (timing_only()) {
        } else if (layer_.type == LayerType::AvgPool) {
            sum_pool_windows(windows.data.data(), windows.pixels, area, channels, layer_.in_encoding, row.data.data());
        } else {
            max_pool_windows(windows.data.data(), windows.pixels, area, channels, row.data.data());
        }
        busy(cycles);
        stats_.lane_cycles += cycles * uint64_t(layer_.folding.simd);
        stats_.useful_ops += uint64_t(row.pixels) * channels * area;
        const bool last = row.row == layer_.out.height - 1;
        const int frame = row.frame;
        give(out, std::move(row));
        if (last) frame_done(frame);
    }
}

}  // namespace qsim
