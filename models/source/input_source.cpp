#include "models/source/input_source.hpp"

#include <algorithm>

#include "models/source/input_kernel.hpp"
#include "models/source/source_timing.hpp"

namespace qsim {

InputSource::InputSource(sc_core::sc_module_name name, const InputConfig& input, int frames,
                         sc_core::sc_time period, uint64_t frame_interval)
    : TimedBlock(name, period, "", "source"),
      out("out"),
      from_dma("from_dma"),
      input_(input),
      frames_(frames),
      frame_interval_(frame_interval) {
    SC_THREAD(run);
}

void InputSource::run() {
    const uint64_t row_cycles = source_row_cycles(input_);
    const int width = input_.shape.width;
    const int channels = input_.shape.channels;
    const bool from_dma_bound = from_dma.size() > 0;
    const bool generated = !from_dma_bound && !input_.frames;  // generated a row at a time
    for (int f = 0; f < frames_; ++f) {
        const FeatureMap frame = from_dma_bound || generated ? FeatureMap() : input_frame(input_, f);
        for (int y = 0; y < input_.shape.height; ++y) {
            StreamRow row;
            if (from_dma_bound) {
                row = take(from_dma);
            } else {
                row = StreamRow::sized(f, y, width, channels);
                const size_t first = size_t(y) * width * channels;
                if (generated)
                    generate_input_codes(input_, f, first, row.data.size(), row.data.data());
                else
                    std::copy_n(frame.data.begin() + ptrdiff_t(first), row.data.size(), row.data.begin());
            }
            if (y == 0) {
                // A paced source starts frame f no earlier than f intervals after frame 0.
                if (frame_interval_ > 0 && f > 0) {
                    const uint64_t due = frame_start_.front() + uint64_t(f) * frame_interval_;
                    if (due > now_cycles()) {
                        working_ = true;  // waiting for a time, not a stream: never a deadlock
                        wait(period_ * double(due - now_cycles()));
                        working_ = false;
                    }
                }
                frame_start_.push_back(now_cycles());
                frame_started(f);
            }
            busy(row_cycles);
            give(out, std::move(row));
        }
        frame_done(f);
    }
}

}  // namespace qsim
