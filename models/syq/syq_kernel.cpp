#include "models/syq/syq_kernel.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/common/int_math.hpp"
#include "models/syq/ring_counter.hpp"

namespace qsim {

int64_t syq_group_length(const LayerConfig& l) {
    const int f = l.scaling_factors();
    return f > 0 ? l.fan_in() / f : l.fan_in();
}

uint64_t syq_folds_per_group(const LayerConfig& l) {
    return ceil_div(uint64_t(syq_group_length(l)), uint64_t(l.folding.simd));
}

int syq_group_of(const LayerConfig& l, int64_t s) { return int(s / syq_group_length(l)); }

SyqMvtuKernel::SyqMvtuKernel(const LayerConfig& l, const LayerParams& p)
    : channels_(l.out.channels),
      window_length_(l.fan_in()),
      group_length_(syq_group_length(l)),
      factors_(p.scales),
      thresholds_(l, p) {
    if (l.type != LayerType::Conv || l.groups != 1 || l.scaling_factors() == 0)
        throw std::invalid_argument("SYQ kernel: layer '" + l.name + "' is not a row- or pixel-wise scaled conv layer");
    if (int(factors_.size()) != l.scaling_factors())
        throw std::invalid_argument("SYQ kernel: layer '" + l.name + "' needs " + std::to_string(l.scaling_factors()) +
                                    " scaling factors, got " + std::to_string(factors_.size()));
    const int64_t fan_in = l.fan_in();
    if (int64_t(p.weights.size()) != fan_in * channels_)
        throw std::invalid_argument("SYQ kernel: layer '" + l.name + "' has the wrong number of weights");
    // Each group's weights as the matrix of an fc layer of group_length synapses.
    LayerConfig sub = l;
    sub.type = LayerType::Fc;
    sub.in = {1, 1, int(group_length_)};
    sub.folding = {1, 1, 1};
    sub.reuse = 1;
    sub.scaling = {};
    for (int g = 0; g < groups(); ++g) {
        LayerParams sp;
        sp.weights.resize(size_t(group_length_) * size_t(channels_));
        for (int n = 0; n < channels_; ++n)
            std::copy_n(p.weights.data() + size_t(n) * size_t(fan_in) + size_t(g) * size_t(group_length_),
                        group_length_, sp.weights.data() + size_t(n) * size_t(group_length_));
        memories_.push_back(std::make_unique<WeightMemory>(sub, sp));
        trees_.push_back(make_pe_datapath(l.datapath, l.in_encoding, l.in_bits, *memories_.back()));
    }
}

void SyqMvtuKernel::load_window(const int32_t* window) {
    for (int g = 0; g < groups(); ++g) trees_[size_t(g)]->load_input(window + size_t(g) * size_t(group_length_));
}

void SyqMvtuKernel::compute(const int32_t* windows, int pixels, int32_t* out) {
    RingCounter ring(factors_, 1);
    std::vector<int64_t> acc(static_cast<size_t>(channels_));
    for (int p = 0; p < pixels; ++p) {
        load_window(windows + size_t(p) * size_t(window_length_));
        std::fill(acc.begin(), acc.end(), 0);
        for (int g = 0; g < groups(); ++g) {
            const int64_t f = ring.factor();  // the scaling multiplier's other operand
            for (int n = 0; n < channels_; ++n) acc[size_t(n)] += f * sub_dot(g, n);
            ring.advance();
        }
        for (int n = 0; n < channels_; ++n) out[size_t(p) * size_t(channels_) + size_t(n)] = activate(acc[size_t(n)], n);
    }
}

}  // namespace qsim
