#include "models/sink/output_sink.hpp"

namespace qsim {

OutputSink::OutputSink(sc_core::sc_module_name name, FmShape shape, sc_core::sc_time period)
    : TimedBlock(name, period, "", "sink"), in("in"), frames_(shape) {
    SC_THREAD(run);
}

void OutputSink::run() {
    for (;;) {
        StreamRow row = take(in);
        const int frame = row.frame;
        if (frames_.add(row)) {
            ++completed_;
            frame_done(frame);
        }
    }
}

}  // namespace qsim
