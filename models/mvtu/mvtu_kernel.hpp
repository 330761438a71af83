// Functional kernel of a whole MVTU: for each input window, the PE datapath's dot products
// for every output channel followed by the threshold unit. Grouped convolutions take, for
// the channels of group g, the slice of the window that holds group g's input channels.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/mvtu/pe_datapath_kernel.hpp"
#include "models/mvtu/threshold_kernel.hpp"
#include "models/mvtu/weight_memory.hpp"

namespace qsim {

// A compute layer as DMA channel 1 leaves it (ch. 6.6.1): its weight memories, written from
// the layer's record, and the record's other parameters (thresholds, requantisation, RCCM
// scale) in `params`, whose weights and selects are empty (they are in `memory`). Kernels
// built from one image share its memories.
struct LayerImage {
    std::shared_ptr<const WeightMemory> memory;
    LayerParams params;
};

// The image of decoded parameters: their weights (RCCM layers: select indices) go into the
// memories and are dropped from `params`.
LayerImage make_layer_image(const LayerConfig& layer, LayerParams params);

class MvtuKernel {
public:
    MvtuKernel(const LayerConfig& layer, const LayerParams& params);
    MvtuKernel(const LayerConfig& layer, const LayerImage& image);

    // Length of one input vector as it arrives: conv K*K*C_in (all groups), fc fan_in.
    int64_t window_length() const { return window_length_; }
    int channels() const { return channels_; }
    const WeightMemory& memory() const { return *memory_; }

    // windows: `pixels` vectors of window_length() codes; out: pixels x channels codes.
    void compute(const int32_t* windows, int pixels, int32_t* out) { compute(windows, pixels, out, 0, channels_); }
    // Only output channels [first, first + count) (one PE-reuse pass): out is pixels x count.
    void compute(const int32_t* windows, int pixels, int32_t* out, int first, int count);

private:
    // The memories from `image`, everything else from `params`.
    MvtuKernel(const LayerConfig& layer, const LayerImage& image, const LayerParams& params);
    const int32_t* group_slice(const int32_t* window, int group);

    int groups_, channels_, kernel_area_, group_channels_, in_channels_;
    int64_t window_length_;
    std::shared_ptr<const WeightMemory> memory_;
    std::unique_ptr<PeDatapath> datapath_;
    ThresholdUnit thresholds_;
    std::vector<int32_t> slice_;
    std::vector<int64_t> acc_;  // the accumulators of one input's channels
};

}  // namespace qsim
