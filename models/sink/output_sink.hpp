// Output sink: accepts the last layer's rows as fast as they come (the host's receive
// buffer), reassembles whole output frames and records when each one completed.
#pragma once

#include "models/common/frame_assembler.hpp"
#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class OutputSink : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    // When bound, every row is also passed on (to the DMA's output channel).
    sc_core::sc_port<RowWriteIf, 1, sc_core::SC_ZERO_OR_MORE_BOUND> to_dma;

    SC_HAS_PROCESS(OutputSink);
    // `observer`: told of each output frame as it completes (as layer 0); the sink then keeps
    // the frames only when `keep`. Without one it keeps them all.
    OutputSink(sc_core::sc_module_name name, FmShape shape, int frames, sc_core::sc_time period,
               LayerFrameObserver* observer = nullptr, bool keep = true);
    // Notified when the last expected frame has arrived.
    const sc_core::sc_event& all_frames_done() const { return done_; }

    const std::vector<FeatureMap>& frames() const { return frames_.frames(); }  // the kept frames
    int frames_completed() const { return completed_; }

private:
    void run();
    FrameAssembler frames_;
    int expected_;
    int completed_ = 0;
    sc_core::sc_event done_;
};

}  // namespace qsim
