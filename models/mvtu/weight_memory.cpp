#include "models/mvtu/weight_memory.hpp"

#include <stdexcept>
#include <string>

#include "models/common/int_math.hpp"

namespace qsim {

WeightMemory::WeightMemory(const LayerConfig& layer, const LayerParams& params)
    : binary_(layer.weights.quant == WeightQuant::Binary),
      pe_(layer.physical_pe()),
      simd_(layer.folding.simd),
      bits_(layer.weights.bits),
      channels_(layer.out.channels),
      fan_in_(layer.fan_in()) {
    if (fan_in_ % simd_ != 0 || channels_ % pe_ != 0)
        throw std::invalid_argument(layer.name + ": SIMD must divide fan-in and PE the channels");
    if (int64_t(params.weights.size()) != fan_in_ * channels_)
        throw std::invalid_argument(layer.name + ": expected " + std::to_string(fan_in_ * channels_) +
                                    " weights, got " + std::to_string(params.weights.size()));
    synapse_folds_ = uint64_t(fan_in_ / simd_);
    depth_ = uint64_t(channels_ / pe_) * synapse_folds_;
    chunks_ = int(ceil_div(uint64_t(simd_) * bits_, 64));
    data_.assign(size_t(pe_) * depth_ * chunks_, 0);
    for (int n = 0; n < channels_; ++n)
        for (int64_t s = 0; s < fan_in_; ++s) store(n, s, params.weights[size_t(n) * fan_in_ + s]);
}

// Index of the first 64-bit chunk of the word holding (n, s) and the field's bit offset
// within the word (a field may straddle two chunks when `bits` does not divide 64).
size_t WeightMemory::locate(int n, int64_t s, int& bit) const {
    const int p = n % pe_;
    const uint64_t address = uint64_t(n / pe_) * synapse_folds_ + uint64_t(s / simd_);
    bit = int(s % simd_) * bits_;
    return (size_t(p) * depth_ + address) * chunks_;
}

void WeightMemory::store(int n, int64_t s, int8_t value) {
    int bit = 0;
    const size_t base = locate(n, s, bit);
    const uint64_t code = binary_ ? uint64_t(value > 0 ? 1 : 0) : uint64_t(int64_t(value));
    for (int b = 0; b < bits_; ++b, ++bit)
        if ((code >> b) & 1u) data_[base + size_t(bit / 64)] |= uint64_t(1) << (bit % 64);
}

int8_t WeightMemory::weight(int n, int64_t s) const {
    int bit = 0;
    const size_t base = locate(n, s, bit);
    uint64_t code = 0;
    for (int b = 0; b < bits_; ++b, ++bit)
        code |= ((data_[base + size_t(bit / 64)] >> (bit % 64)) & 1u) << b;
    if (binary_) return code ? 1 : -1;
    // Sign-extend the two's complement field.
    const int64_t sign = int64_t(1) << (bits_ - 1);
    return int8_t((int64_t(code) ^ sign) - sign);
}

const uint64_t* WeightMemory::word(int pe, uint64_t address) const {
    return data_.data() + (size_t(pe) * depth_ + address) * chunks_;
}

}  // namespace qsim
