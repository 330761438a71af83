#include "models/loopback/loopback_accelerator.hpp"

#include <limits>
#include <stdexcept>

#include "models/loopback/loopback_timing.hpp"
#include "models/pool/pool_kernel.hpp"
#include "models/swu/window_kernel.hpp"
#include "models/topk/topk_kernel.hpp"

namespace qsim {

LoopbackAccelerator::LoopbackAccelerator(sc_core::sc_module_name name, const NetworkConfig& net,
                                         sc_core::sc_time period, int frames)
    : TimedBlock(name, period, "", "loopback"),
      in("in"),
      out("out"),
      net_(net),
      frames_(frames),
      pes_(net.host.loopback_pes),
      simd_(net.host.loopback_simd),
      kernels_(net.layers.size()),
      built_(net.layers.size()),
      built_from_(net.layers.size()),
      layer_stats_(net.layers.size()),
      operand_activity_(net.layers.size()),
      output_activity_(net.layers.size()) {
    for (size_t l = 0; l < net.layers.size(); ++l) {
        layer_stats_[l].name = std::string(this->name()) + "." + net.layers[l].name;
        layer_stats_[l].layer = net.layers[l].name;
        layer_stats_[l].role = "loopback_layer";
    }
    SC_THREAD(run);
}

void LoopbackAccelerator::select_layer(size_t layer) {
    if (layer >= net_.layers.size()) throw std::out_of_range("LAYER register: no layer " + std::to_string(layer));
    selected_ = long(layer);
    selected_event_.notify(sc_core::SC_ZERO_TIME);
}

void LoopbackAccelerator::load_parameters(size_t layer, const std::shared_ptr<const LayerImage>& image) {
    if (built_.at(layer) == nullptr || built_from_[layer] != image) {
        built_[layer] = std::make_shared<MvtuKernel>(net_.layers[layer], *image);
        built_from_[layer] = image;
    }
    kernels_[layer] = built_[layer];
    loaded_event_.notify(sc_core::SC_ZERO_TIME);
}

void LoopbackAccelerator::compute(const LayerConfig& l, const FeatureMap& input, FeatureMap& output) {
    output.shape = l.out;
    output.data.resize(size_t(l.out.elements()));
    if (l.type == LayerType::Fc) {
        kernels_[&l - net_.layers.data()]->compute(input.data.data(), 1, output.data.data());
        return;
    }
    if (l.type == LayerType::TopK) {
        select_top_k(input.data.data(), l.in.channels, l.top_k, l.folding.simd, output.data.data());
        return;
    }
    if (l.is_global_pool()) {
        const bool max = l.type == LayerType::GlobalMaxPool;
        std::fill(output.data.begin(), output.data.end(), max ? std::numeric_limits<int32_t>::min() : 0);
        for (int y = 0; y < l.in.height; ++y) {
            const int32_t* row = &input.data[size_t(y) * l.in.width * l.in.channels];
            if (max)
                global_max_accumulate(row, l.in.width, l.in.channels, output.data.data());
            else
                global_sum_accumulate(row, l.in.width, l.in.channels, l.in_encoding, output.data.data());
        }
        return;
    }
    // Conv and max pool: one output row of windows at a time.
    const int K = l.kernel;
    std::vector<const int32_t*> rows(static_cast<size_t>(K), nullptr);
    windows_.resize(size_t(l.out.width) * size_t(l.window_area()) * size_t(l.in.channels));
    int32_t* windows = windows_.data();
    for (int oy = 0; oy < l.out.height; ++oy) {
        for (int ky = 0; ky < K; ++ky) {
            const int iy = swu_first_input_row(l, oy) + ky;
            rows[size_t(ky)] = (iy < 0 || iy >= l.in.height) ? nullptr
                                                              : &input.data[size_t(iy) * l.in.width * l.in.channels];
        }
        build_window_row(l, rows.data(), windows);
        int32_t* o = &output.data[size_t(oy) * l.out.width * l.out.channels];
        if (l.type == LayerType::Conv)
            kernels_[&l - net_.layers.data()]->compute(windows, l.out.width, o);
        else if (l.type == LayerType::AvgPool)
            sum_pool_windows(windows, l.out.width, l.window_area(), l.in.channels, l.in_encoding, o);
        else
            max_pool_windows(windows, l.out.width, l.window_area(), l.in.channels, o);
    }
}

void LoopbackAccelerator::run() {
    for (int f = 0; f < frames_; ++f) {
        frame_started(f);
        for (size_t l = 0; l < net_.layers.size(); ++l) {
            const LayerConfig& layer = net_.layers[l];
            while (selected_ != long(l))
                wait_internal(selected_event_, false, [&layer] { return "the host to select layer " + layer.name; });
            FeatureMap& input = input_;
            input.shape = layer.in;
            input.data.resize(size_t(layer.in.elements()));
            size_t filled = 0;
            for (int y = 0; y < layer.in.height; ++y) {
                const StreamRow row = take(in);
                std::copy(row.data.begin(), row.data.end(), input.data.begin() + ptrdiff_t(size_t(y) * row.data.size()));
                filled = size_t(y + 1) * row.data.size();
            }
            if (filled < input.data.size()) std::fill(input.data.begin() + ptrdiff_t(filled), input.data.end(), 0);
            if (layer.is_compute())
                while (kernels_[l] == nullptr)
                    wait_internal(loaded_event_, false,
                                  [&layer] { return "the weights of layer " + layer.name + " (DMA channel 1)"; });
            FeatureMap& output = output_;
            compute(layer, input, output);
            if (layer.is_compute()) {
                MvtuKernel& k = *kernels_[l];
                operand_activity_[l] += k.operand_activity();
                output_activity_[l] += k.output_activity();
                k.reset_activity();
            }
            const uint64_t cycles = loopback_layer_cycles(layer, pes_, simd_);
            busy(cycles);
            layer_stats_[l].busy_cycles += cycles;
            if (layer.is_compute()) kernels_[l].reset();  // the next frame brings the weights again
            selected_ = -1;
            const size_t row_len = size_t(layer.out.width) * layer.out.channels;
            for (int y = 0; y < layer.out.height; ++y) {
                StreamRow row;
                row.frame = f;
                row.row = y;
                row.pixels = layer.out.width;
                row.depth = layer.out.channels;
                const auto first = output.data.begin() + ptrdiff_t(size_t(y) * row_len);
                row.data.assign(first, first + ptrdiff_t(row_len));
                give(out, std::move(row));
            }
            layer_stats_[l].frame_done_cycle.push_back(now_cycles());
        }
        ++frames_completed_;
        frame_done(f);
        if (frames_completed_ == frames_) done_.notify(sc_core::SC_ZERO_TIME);
    }
}

}  // namespace qsim
