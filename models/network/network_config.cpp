#include "models/network/network_config.hpp"

namespace qsim {

int64_t LayerConfig::fan_in() const {
    switch (type) {
        case LayerType::Conv:
            return int64_t(window_area()) * (in.channels / groups);
        case LayerType::Fc:
            return in.elements();
        default:
            return 0;
    }
}

int64_t LayerConfig::max_abs_input() const {
    switch (in_encoding) {
        case Encoding::Unsigned: return (int64_t(1) << in_bits) - 1;
        case Encoding::Signed: return int64_t(1) << (in_bits - 1);
        case Encoding::Bipolar: return 1;
        case Encoding::Accumulator: return int64_t(1) << 31;
    }
    return 0;
}

int64_t LayerConfig::max_abs_weight() const {
    if (weights.quant == WeightQuant::Rccm) return rccm_max_abs_coefficient(weights.rccm);
    return weights.quant == WeightQuant::Uniform ? (int64_t(1) << (weights.bits - 1)) - 1 : 1;
}

int LayerConfig::thresholds_per_channel() const {
    switch (activation.type) {
        case ActivationType::Thresholds: return (1 << activation.bits) - 1;
        case ActivationType::Bipolar: return 1;
        default: return 0;
    }
}

int LayerConfig::scaling_factors() const {
    switch (scaling.granularity) {
        case ScalingGranularity::Layer: return 0;
        case ScalingGranularity::Row: return kernel;
        case ScalingGranularity::Pixel: return window_area();
    }
    return 0;
}

int64_t LayerConfig::max_scale() const {
    return scaling_factors() > 0 ? (int64_t(1) << scaling.bits) - 1 : 1;
}

size_t NetworkConfig::device_layer_count() const {
    size_t n = layers.size();
    if (!host.enabled || host.architecture != HostArchitecture::Dataflow) return n;
    while (n > 1 && layers[n - 1].type == LayerType::Fc) --n;
    return n;
}

const LayerConfig* NetworkConfig::find_layer(const std::string& n) const {
    for (const auto& l : layers)
        if (l.name == n) return &l;
    return nullptr;
}

std::vector<int> NetworkConfig::inputs_of(size_t j) const {
    if (layers.at(j).inputs.empty()) return {int(j) - 1};
    return layers[j].inputs;
}

std::vector<size_t> NetworkConfig::readers(size_t i) const {
    std::vector<size_t> out;
    for (size_t j = i + 1; j < layers.size(); ++j)
        for (int from : inputs_of(j))
            if (from == int(i)) out.push_back(j);
    return out;
}

int NetworkConfig::branch_fifo_depth(size_t producer, size_t reader) const {
    const std::vector<int> from = inputs_of(reader);
    const LayerConfig& r = layers.at(reader);
    for (size_t k = 0; k < from.size(); ++k)
        if (from[k] == int(producer) && k < r.input_fifo_depths.size() && r.input_fifo_depths[k] > 0)
            return r.input_fifo_depths[k];
    return layers.at(producer).fifo_depth;
}

bool NetworkConfig::is_chain() const {
    for (size_t j = 0; j < layers.size(); ++j) {
        const std::vector<int> in = inputs_of(j);
        if (in.size() != 1 || in[0] != int(j) - 1) return false;
    }
    return true;
}

}  // namespace qsim
