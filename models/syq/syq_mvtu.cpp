#include "models/syq/syq_mvtu.hpp"

#include <vector>

#include "models/mvtu/mvtu_timing.hpp"

namespace qsim {

SyqMvtu::SyqMvtu(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
                 sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "mvtu"),
      in("in"),
      out("out"),
      layer_(layer),
      kernel_(layer, params),
      ring_(std::make_unique<ScalingRingCounter>("ring_counter", params.scales, syq_folds_per_group(layer))),
      ring2mul_("ring2mul") {
    ring2mul_.bind(ring_->ring2mul);
    SC_THREAD(run);
}

void SyqMvtu::run() {
    const int n = layer_.out.channels;
    const uint64_t cycles = mvtu_cycles_per_row(layer_);
    const uint64_t ops = uint64_t(layer_.fan_in()) * uint64_t(n) * uint64_t(layer_.out.width);
    std::vector<int64_t> acc(static_cast<size_t>(n));
    for (;;) {
        StreamRow windows = take(in);
        StreamRow row = StreamRow::sized(windows.frame, windows.row, windows.pixels, n);  // every code computed
        for (int p = 0; p < windows.pixels; ++p) {
            kernel_.load_window(windows.pixel(p));
            std::fill(acc.begin(), acc.end(), 0);
            // One subgroup after the other: its sub-dot products leave the MAC trees, the
            // scaling multipliers take the ring counter's factor, and the counter moves on.
            for (int g = 0; g < kernel_.groups(); ++g) {
                const int64_t factor = ring2mul_->factor();
                for (int c = 0; c < n; ++c) acc[size_t(c)] += factor * kernel_.sub_dot(g, c);
                ring2mul_->advance();
            }
            scaled_products_ += uint64_t(kernel_.groups()) * uint64_t(n);
            for (int c = 0; c < n; ++c) row.pixel(p)[c] = kernel_.activate(acc[size_t(c)], c);
        }
        busy(cycles);
        stats_.lane_cycles += cycles * mvtu_lanes(layer_);
        stats_.useful_ops += ops;
        const bool last = row.row == layer_.out.height - 1;
        const int frame = row.frame;
        give(out, std::move(row));
        if (last) frame_done(frame);
    }
}

}  // namespace qsim
