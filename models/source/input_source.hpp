// Host input source: streams the input frames row by row into layer 0 over an input bus of
// `stream_bits` per clock (ch. 4.4.2: the image is read one pixel at a time; ch. 6.6.1:
// 24-bit input stream). Frames follow each other back to back, subject to backpressure.
#pragma once

#include <vector>

#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class InputSource : public TimedBlock {
public:
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(InputSource);
    InputSource(sc_core::sc_module_name name, const InputConfig& input, int frames,
                sc_core::sc_time period);

    // Cycle at which each frame's first row started to stream.
    const std::vector<uint64_t>& frame_start_cycle() const { return frame_start_; }

private:
    void run();

    InputConfig input_;
    int frames_;
    std::vector<uint64_t> frame_start_;
};

}  // namespace qsim
