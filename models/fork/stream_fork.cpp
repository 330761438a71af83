#include "models/fork/stream_fork.hpp"

#include "models/fork/fork_timing.hpp"

namespace qsim {

StreamFork::StreamFork(sc_core::sc_module_name name, const LayerConfig& producer, int branches,
                       sc_core::sc_time period)
    : TimedBlock(name, period, producer.name, "fork"), in("in"), out("out", size_t(branches)), producer_(producer) {
    SC_THREAD(run);
}

void StreamFork::run() {
    const uint64_t cycles = fork_cycles_per_row(producer_);
    for (;;) {
        StreamRow row = take(in);
        busy(cycles);
        stats_.lane_cycles += cycles;
        stats_.useful_ops += uint64_t(row.pixels);
        const bool last = row.row == producer_.out.height - 1;
        const int frame = row.frame;
        for (size_t b = 0; b + 1 < out.size(); ++b) give(out[b], row);
        give(out[out.size() - 1], std::move(row));
        if (last) frame_done(frame);
    }
}

}  // namespace qsim
