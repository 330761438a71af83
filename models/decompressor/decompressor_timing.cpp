#include "models/decompressor/decompressor_timing.hpp"

#include <algorithm>
#include <cmath>

#include "models/common/int_math.hpp"

namespace qsim {

int decompressor_lanes(const LayerConfig& l) { return l.folding.pe; }

int decompressor_pes_per_lane(const LayerConfig& l) {
    return l.type == LayerType::Conv ? l.folding.mmv : l.decompressor.batch;
}

double expected_row_entries(int64_t fan_in, double density, int delta_bits) {
    const double gamma = std::clamp(density, 0.0, 1.0);
    const double m = std::ldexp(1.0, delta_bits) - 1.0;
    const double q = std::pow(1.0 - gamma, m);
    const double skips_per_weight = q < 1.0 ? q / (1.0 - q) : 0.0;
    return double(fan_in) * gamma * (1.0 + skips_per_weight) + 1.0;
}

uint64_t decompressor_pass_cycles(const std::vector<uint64_t>& lane_cycles) {
    uint64_t worst = 0;
    for (uint64_t c : lane_cycles) worst = std::max(worst, c);
    return worst;
}

uint64_t expected_pass_cycles(const LayerConfig& l) {
    const uint64_t rows = ceil_div(uint64_t(l.out.channels), uint64_t(decompressor_lanes(l)));
    const double per_row = expected_row_entries(l.fan_in(), l.decompressor.expected_density, l.decompressor.delta_bits);
    return uint64_t(std::ceil(double(rows) * per_row - 1e-9));
}

uint64_t decompressor_passes_per_frame(const LayerConfig& l) {
    if (l.type != LayerType::Conv) return 1;
    return uint64_t(l.out.height) * ceil_div(uint64_t(l.out.width), uint64_t(decompressor_pes_per_lane(l)));
}

uint64_t decompressor_cycles_per_frame(const LayerConfig& l, uint64_t pass_cycles) {
    if (l.type == LayerType::Conv) return decompressor_passes_per_frame(l) * pass_cycles;
    return ceil_div(pass_cycles, uint64_t(std::max(1, l.decompressor.batch)));
}

uint64_t decompressor_cycles_per_frame(const LayerConfig& l) {
    return decompressor_cycles_per_frame(l, expected_pass_cycles(l));
}

uint64_t batched_interval(const std::vector<uint64_t>& done, int batch) {
    const size_t n = done.size();
    if (n < 2) return n == 1 ? done.front() : 0;
    if (batch <= 1) return done[n - 1] - done[n - 2];
    const size_t b = size_t(batch);
    if (n > b) return (done[n - 1] - done[n - 1 - b] + b / 2) / b;
    return (done[n - 1] + n / 2) / n;  // fewer frames than a batch and one more: their mean
}

int network_batch(const NetworkConfig& net) {
    int batch = 1;
    for (const auto& l : net.layers)
        if (l.decompressor.enabled && l.type == LayerType::Fc) batch = std::max(batch, l.decompressor.batch);
    return batch;
}

uint64_t longest_batch_pass(const NetworkConfig& net) {
    uint64_t longest = 0;
    for (const auto& l : net.layers)
        if (l.decompressor.enabled && l.type == LayerType::Fc && l.decompressor.batch > 1)
            longest = std::max(longest, expected_pass_cycles(l));
    return longest;
}

}  // namespace qsim
