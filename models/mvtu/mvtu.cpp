#include "models/mvtu/mvtu.hpp"

#include "models/common/timing_only.hpp"

#include <algorithm>

#include "models/common/int_math.hpp"
#include "models/mvtu/mvtu_timing.hpp"

namespace qsim {

Mvtu::Mvtu(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
           sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "mvtu"),
      in("in"),
      out("out"),
      layer_(layer),
      lanes_(mvtu_lanes(layer)),
      kernel_(std::make_unique<MvtuKernel>(layer, params)) {
    start();
}

Mvtu::Mvtu(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "mvtu"), in("in"), out("out"), layer_(layer), lanes_(mvtu_lanes(layer)) {
    start();
}

void Mvtu::start() {
    if (layer_.type == LayerType::Conv) {
        SC_THREAD(run_conv);
    } else {
        SC_THREAD(run_fc);
    }
}

void Mvtu::load_parameters(const LayerImage& image) {
    kernel_ = std::make_unique<MvtuKernel>(layer_, image);
    loaded_.notify(sc_core::SC_ZERO_TIME);
}

void Mvtu::wait_for_parameters() {
    while (kernel_ == nullptr) wait_internal(loaded_, false, "its weights and thresholds (DMA channel 1)");
}

void Mvtu::account(uint64_t cycles, uint64_t ops) {
    busy(cycles);
    stats_.lane_cycles += cycles * lanes_;
    stats_.useful_ops += ops;
}

void Mvtu::run_conv() {
    // With PE reuse each window row arrives once per pass; pass r computes its channel group.
    const int group = layer_.out.channels / layer_.reuse;
    const uint64_t cycles = mvtu_cycles_per_row(layer_);
    const uint64_t ops = uint64_t(layer_.fan_in()) * uint64_t(group) * layer_.out.width;
    wait_for_parameters();
    for (;;) {
        StreamRow windows = take(in);
        // Every code is computed (a timing-only run leaves them 0).
        StreamRow row = timing_only() ? StreamRow::shaped(windows.frame, windows.row, windows.pixels, group)
                                      : StreamRow::sized(windows.frame, windows.row, windows.pixels, group);
        row.pass = windows.pass;
        if (!timing_only())
            kernel_->compute(windows.data.data(), windows.pixels, row.data.data(), windows.pass * group, group);
        account(cycles, ops);
        const bool last = row.row == layer_.out.height - 1 && row.pass == layer_.reuse - 1;
        const int frame = row.frame;
        give(out, std::move(row));
        if (last) frame_done(frame);
    }
}

void Mvtu::run_fc() {
    const uint64_t synapse_folds = mvtu_synapse_folds(layer_);
    const uint64_t total = mvtu_cycles_per_frame(layer_);
    const uint64_t simd = uint64_t(layer_.folding.simd);
    std::vector<int32_t> vector(size_t(layer_.fan_in()));
    wait_for_parameters();
    for (;;) {
        // First neuron fold: the input words are consumed as the rows stream in.
        uint64_t received = 0, charged = 0;
        int frame = 0;
        for (int y = 0; y < layer_.in.height; ++y) {
            StreamRow row = take(in);
            frame = row.frame;
            std::copy(row.data.begin(), row.data.end(), vector.begin() + ptrdiff_t(received));
            received += row.data.size();
            const uint64_t due = std::min(ceil_div(received, simd), synapse_folds);
            account(due - charged, 0);
            charged = due;
        }
        StreamRow result = timing_only() ? StreamRow::shaped(frame, 0, 1, kernel_->channels())
                                         : StreamRow::sized(frame, 0, 1, kernel_->channels());
        if (!timing_only()) kernel_->compute(vector.data(), 1, result.data.data());
        // The remaining neuron folds reuse the buffered input vector.
        account(total - charged, mvtu_ops_per_frame(layer_));
        give(out, std::move(result));
        frame_done(frame);
    }
}

}  // namespace qsim
