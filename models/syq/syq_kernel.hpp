// Bit-true kernel of a SYQ-scaled MVTU (thesis ch. 5.4, 5.7.2, Fig. 5.3). A conv layer's
// K x K x C synapses split into subgroups: K^2 pixel groups (kernel position ky*K + kx, C
// synapses each) or K row groups (kernel row ky, K*C synapses each). Each PE's MAC tree
// computes the sub-dot product of a group (binary/ternary weights: add/sub or XNOR-popcount),
// one scaling multiplier multiplies it by the group's factor from the ring counter, and the
// accumulator sums the scaled sub-dot products before the threshold unit:
//   acc(n) = sum_g factor[g] * sum_{s in g} w[n][s] * x[s].
// SIMD divides C, so a synapse fold never straddles two groups: the ring counter advances
// every C / SIMD folds (pixel) or K * C / SIMD folds (row).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/mvtu/pe_datapath_kernel.hpp"
#include "models/mvtu/threshold_kernel.hpp"
#include "models/mvtu/weight_memory.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

// Synapses per subgroup (fan_in / factors) and the synapse folds a subgroup takes.
int64_t syq_group_length(const LayerConfig& l);
uint64_t syq_folds_per_group(const LayerConfig& l);
// The subgroup of synapse s.
int syq_group_of(const LayerConfig& l, int64_t s);

class SyqMvtuKernel {
public:
    SyqMvtuKernel(const LayerConfig& l, const LayerParams& p);

    int groups() const { return int(factors_.size()); }
    int channels() const { return channels_; }
    int64_t window_length() const { return window_length_; }
    const std::vector<int32_t>& factors() const { return factors_; }

    // The MAC trees: loads one window; sub_dot(g, n) is group g's sub-dot product of channel n.
    void load_window(const int32_t* window);
    int64_t sub_dot(int g, int n) const { return trees_[size_t(g)]->dot(n); }
    int32_t activate(int64_t acc, int n) const { return thresholds_.apply(acc, n); }

    // Whole windows, the factors taken in ring order: out = pixels x channels codes.
    void compute(const int32_t* windows, int pixels, int32_t* out);

private:
    int channels_;
    int64_t window_length_, group_length_;
    std::vector<int32_t> factors_;
    std::vector<std::unique_ptr<WeightMemory>> memories_;  // one sub-matrix per group
    std::vector<std::unique_ptr<PeDatapath>> trees_;
    ThresholdUnit thresholds_;
};

}  // namespace qsim
