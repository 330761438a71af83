#include "models/mvtu/mvtu_kernel.hpp"

#include <algorithm>

#include "models/rccm/rccm_datapath.hpp"

namespace qsim {

namespace {

// RCCM layers keep select indices in their weight memories (rccm_memory_image).
std::shared_ptr<const WeightMemory> layer_memory(const LayerConfig& layer, const LayerParams& params) {
    if (layer.weights.quant == WeightQuant::Rccm)
        return std::make_shared<const WeightMemory>(layer, rccm_memory_image(params));
    return std::make_shared<const WeightMemory>(layer, params);
}

std::unique_ptr<PeDatapath> layer_datapath(const LayerConfig& layer, const LayerParams& params,
                                           const WeightMemory& memory, int groups) {
    if (layer.datapath == Datapath::Rccm)
        return std::make_unique<RccmDatapath>(memory, layer.weights.rccm, layer.in_encoding, layer.in_bits,
                                              params.lambda, layer.out.channels / groups);
    return make_pe_datapath(layer.datapath, layer.in_encoding, layer.in_bits, memory);
}

// The code of the value 0: none for bipolar codes ({0, 1} mean {-1, +1}).
int32_t zero_code(Encoding e) { return e == Encoding::Bipolar ? -1 : 0; }

}  // namespace

LayerImage make_layer_image(const LayerConfig& layer, LayerParams params) {
    LayerImage image;
    image.memory = layer_memory(layer, params);
    params.weights = {};
    params.selects = {};
    image.params = std::move(params);
    return image;
}

MvtuKernel::MvtuKernel(const LayerConfig& layer, const LayerParams& params)
    : MvtuKernel(layer, LayerImage{layer_memory(layer, params), {}}, params) {}

MvtuKernel::MvtuKernel(const LayerConfig& layer, const LayerImage& image)
    : MvtuKernel(layer, image, image.params) {}

MvtuKernel::MvtuKernel(const LayerConfig& layer, const LayerImage& image, const LayerParams& params)
    : groups_(layer.type == LayerType::Conv ? layer.groups : 1),
      channels_(layer.out.channels),
      kernel_area_(layer.type == LayerType::Conv ? layer.window_area() : 1),
      group_channels_(layer.type == LayerType::Conv ? layer.in.channels / groups_ : 0),
      in_channels_(layer.in.channels),
      window_length_(layer.type == LayerType::Conv ? int64_t(kernel_area_) * in_channels_
                                                   : layer.fan_in()),
      memory_(image.memory),
      datapath_(layer_datapath(layer, params, *memory_, groups_)),
      thresholds_(layer, params),
      slice_(size_t(layer.fan_in())),
      acc_(size_t(channels_)),
      operands_(layer.folding.simd, layer.in_bits, zero_code(layer.in_encoding)),
      outputs_(layer.physical_pe(), layer.out_bits, zero_code(layer.out_encoding)) {}

const int32_t* MvtuKernel::group_slice(const int32_t* window, int group) {
    if (groups_ == 1) return window;
    for (int k = 0; k < kernel_area_; ++k)
        std::copy_n(window + size_t(k) * in_channels_ + size_t(group) * group_channels_, group_channels_,
                    slice_.data() + size_t(k) * group_channels_);
    return slice_.data();
}

void MvtuKernel::compute(const int32_t* windows, int pixels, int32_t* out, int first, int count) {
    const int per_group = channels_ / groups_;
    const int end = first + count;
    for (int p = 0; p < pixels; ++p) {
        const int32_t* window = windows + size_t(p) * window_length_;
        int32_t* o = out + size_t(p) * size_t(count) - first;
        operands_.count(window, size_t(window_length_));
        for (int g = first / per_group; g < groups_ && g * per_group < end; ++g) {
            datapath_->load_input(group_slice(window, g));
            const int lo = std::max(first, g * per_group), hi = std::min(end, (g + 1) * per_group);
            datapath_->dots(lo, hi - lo, acc_.data());
            thresholds_.apply(acc_.data(), lo, hi - lo, o + lo);
        }
        outputs_.count(o + first, size_t(count));
    }
}

}  // namespace qsim
