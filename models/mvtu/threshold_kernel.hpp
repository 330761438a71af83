// Bit-true kernel of the threshold / activation unit after the PE accumulators
// (FINN multi-threshold; ReLU requantisation; pass-through). Semantics in types.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

class ThresholdUnit {
public:
    ThresholdUnit(const LayerConfig& layer, const LayerParams& params);
    int32_t apply(int64_t acc, int channel) const;
    // out[i] = apply(acc[i], first + i) for i in [0, count).
    void apply(const int64_t* acc, int first, int count, int32_t* out) const;

private:
    ActivationType type_;
    int per_channel_;
    int32_t max_code_;
    std::vector<int32_t> thresholds_;
    std::vector<int32_t> bias_;
    int64_t mul_;
    int shift_;
    // Thresholds and bipolar with at most 8 thresholds a channel, where AVX-512 may be used:
    // threshold j of channel n at planar_[j * channels + n], for 8 channels a step.
    std::vector<int64_t> planar_;
    // Otherwise, thresholds and bipolar whose count equals the search (at most 8 a channel, or
    // ascending): in blocks of 16 channels, threshold j of channel n at block_index(n, j),
    // compared with the accumulators clamped to int32 (the same outcome, the thresholds being
    // int32), with AVX2 16 channels a step.
    std::vector<int32_t> blocked_;
    size_t block_index(size_t n, int j) const { return ((n / 16) * size_t(per_channel_) + size_t(j)) * 16 + n % 16; }
    bool avx2_ = false;  // blocked_ counted with AVX2
    int channels_;
};

}  // namespace qsim
