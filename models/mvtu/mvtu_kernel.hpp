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
#include "models/power/operand_activity.hpp"

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

    // What compute() saw since the last reset: the operand bus (each window in SIMD words, as
    // every PE of the array reads it once per neuron fold) and the output codes, PE at a time
    // (docs/power.md). Counting costs one pass over the codes.
    const OperandActivity& operand_activity() const { return operands_.activity(); }
    const OperandActivity& output_activity() const { return outputs_.activity(); }
    void reset_activity() {
        operands_.reset();
        outputs_.reset();
    }

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
    // Activity: the operand bus (SIMD lanes of the input codes) and the output (PE lanes).
    BusMeter operands_, outputs_;
};

}  // namespace qsim
