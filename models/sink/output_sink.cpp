#include "models/sink/output_sink.hpp"

namespace qsim {

OutputSink::OutputSink(sc_core::sc_module_name name, FmShape shape, int frames, sc_core::sc_time period,
                       LayerFrameObserver* observer, bool keep)
    : TimedBlock(name, period, "", "sink"),
      in("in"),
      to_dma("to_dma"),
      frames_(observer ? FrameAssembler(shape, observer, 0, keep) : FrameAssembler(shape)),
      expected_(frames) {
    SC_THREAD(run);
}

void OutputSink::run() {
    for (;;) {
        StreamRow row = take(in);
        const int frame = row.frame;
        const bool complete = frames_.add_row(row);
        if (to_dma.size() > 0) give(to_dma, std::move(row));
        if (complete) {
            ++completed_;
            frame_done(frame);
            if (completed_ == expected_) done_.notify(sc_core::SC_ZERO_TIME);
        }
    }
}

}  // namespace qsim
