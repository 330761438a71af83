// Host input source: streams the input frames row by row into layer 0 over an input bus of
// `stream_bits` per clock (ch. 4.4.2: the image is read one pixel at a time; ch. 6.6.1:
// 24-bit input stream). Frames follow each other back to back, subject to backpressure.
// Standalone it generates the frames; with `from_dma` bound it is the width converter from
// the DMA's 256-bit channel 0 down to the input stream, forwarding the rows it receives.
#pragma once

#include <vector>

#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class InputSource : public TimedBlock {
public:
    sc_core::sc_port<RowWriteIf> out;
    sc_core::sc_port<RowReadIf, 1, sc_core::SC_ZERO_OR_MORE_BOUND> from_dma;

    SC_HAS_PROCESS(InputSource);
    InputSource(sc_core::sc_module_name name, const InputConfig& input, int frames,
                sc_core::sc_time period, uint64_t frame_interval = 0);

    // Cycle at which each frame's first row started to stream.
    const std::vector<uint64_t>& frame_start_cycle() const { return frame_start_; }

private:
    void run();

    InputConfig input_;
    int frames_;
    uint64_t frame_interval_;
    std::vector<uint64_t> frame_start_;
};

}  // namespace qsim
