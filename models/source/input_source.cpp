#include "models/source/input_source.hpp"

#include <algorithm>

#include "models/source/input_kernel.hpp"
#include "models/source/source_timing.hpp"

namespace qsim {

InputSource::InputSource(sc_core::sc_module_name name, const InputConfig& input, int frames,
                         sc_core::sc_time period)
    : TimedBlock(name, period, "", "source"), out("out"), from_dma("from_dma"), input_(input), frames_(frames) {
    SC_THREAD(run);
}

void InputSource::run() {
    const uint64_t row_cycles = source_row_cycles(input_);
    const int width = input_.shape.width;
    const int channels = input_.shape.channels;
    const bool from_dma_bound = from_dma.size() > 0;
    for (int f = 0; f < frames_; ++f) {
        const FeatureMap frame = from_dma_bound ? FeatureMap() : input_frame(input_, f);
        for (int y = 0; y < input_.shape.height; ++y) {
            StreamRow row;
            if (from_dma_bound) {
                row = take(from_dma);
            } else {
                row = StreamRow::shaped(f, y, width, channels);
                std::copy_n(frame.data.begin() + ptrdiff_t(size_t(y) * width * channels), row.data.size(),
                            row.data.begin());
            }
            if (y == 0) {
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
