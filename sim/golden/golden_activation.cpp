// The golden reference's activations. See golden_activation.hpp.
#include "sim/golden/golden_activation.hpp"

#include "sim/golden/golden_gemm.hpp"

#include <algorithm>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace qsim::golden {
namespace {

// floor(a / d) for d > 0 (C++ division truncates toward zero).
int64_t floor_div(int64_t a, int64_t d) {
    int64_t q = a / d;
    if (a % d != 0 && a < 0) q -= 1;
    return q;
}

// Threshold codes of whole positions (C = channels values each) while every scale x acc fits
// int32: out[n] = #{ j : value[n] >= by_level[j * C + n] }. Returns the first position with a
// value that does not fit (positions when none).
QSIM_GOLDEN_CLONES
int64_t count_levels(const int64_t* acc, int64_t scale, int64_t positions, int64_t channels, const int32_t* by_level,
                     int levels, int32_t* value, int32_t* out) {
    for (int64_t p = 0; p < positions; ++p, acc += channels, out += channels) {
        int64_t least = 0, most = 0;
        for (int64_t n = 0; n < channels; ++n) {
            const int64_t v = scale * acc[n];
            least = std::min(least, v);
            most = std::max(most, v);
            value[n] = int32_t(v);
        }
        if (least < std::numeric_limits<int32_t>::min() || most > std::numeric_limits<int32_t>::max()) return p;
        for (int64_t n = 0; n < channels; ++n) out[n] = 0;
        for (int j = 0; j < levels; ++j) {
            const int32_t* t = by_level + j * channels;
            for (int64_t n = 0; n < channels; ++n) out[n] += value[n] >= t[n] ? 1 : 0;
        }
    }
    return positions;
}

}  // namespace

std::string describe(const LayerConfig& layer) {
    std::ostringstream s;
    s << "golden: layer '" << layer.name << "' (" << to_string(layer.type) << "): ";
    return s.str();
}

// Activation of output channel n applied to the dot product `acc`.
int32_t activate(const LayerConfig& layer, const LayerParams& params, int n, int64_t acc) {
    // An RCCM layer's activation takes lambda x acc, wider than 32 bits; only a raw output must fit.
    const bool wide = layer.weights.quant == WeightQuant::Rccm && layer.activation.type != ActivationType::None;
    if (!wide && (acc < std::numeric_limits<int32_t>::min() || acc > std::numeric_limits<int32_t>::max()))
        throw std::logic_error(describe(layer) + "accumulator " + std::to_string(acc) +
                               " of channel " + std::to_string(n) + " does not fit int32");

    switch (layer.activation.type) {
        case ActivationType::Thresholds: {
            const int t = (1 << layer.activation.bits) - 1;
            int32_t code = 0;
            for (int j = 0; j < t; ++j)
                if (acc >= params.thresholds[size_t(n) * t + j]) code += 1;
            return code;
        }
        case ActivationType::Bipolar:
            return acc >= params.thresholds[size_t(n)] ? 1 : 0;
        case ActivationType::Relu: {
            const int64_t biased = acc + params.bias[size_t(n)];  // |biased| <= 2^32
            const int64_t mul = params.mul;
            const int64_t limit = std::numeric_limits<int64_t>::max();
            const int64_t abs_biased = biased < 0 ? -biased : biased;
            const int64_t abs_mul = mul < 0 ? -mul : mul;
            if (abs_mul != 0 && abs_biased > limit / abs_mul)
                throw std::logic_error(describe(layer) + "relu product overflows int64");
            const int64_t scaled = biased * mul;
            const int64_t half = int64_t(1) << (params.shift - 1);
            if (scaled > limit - half)
                throw std::logic_error(describe(layer) + "relu rounding overflows int64");
            int64_t code = floor_div(scaled + half, int64_t(1) << params.shift);
            const int64_t max_code = (int64_t(1) << layer.activation.bits) - 1;
            if (code < 0) code = 0;
            if (code > max_code) code = max_code;
            return int32_t(code);
        }
        case ActivationType::None:
            return int32_t(acc);
    }
    throw std::logic_error(describe(layer) + "unknown activation type");
}

PositionActivation::PositionActivation(const LayerConfig& layer, const LayerParams& params, int64_t scale)
    : layer_(layer), params_(params), scale_(scale) {
    // An RCCM layer compares lambda x acc, wider than 32 bits: value by value.
    if (layer.activation.type != ActivationType::Thresholds || layer.weights.quant == WeightQuant::Rccm) return;
    const int64_t channels = layer.out.channels;
    levels_ = (1 << layer.activation.bits) - 1;
    by_level_.resize(size_t(channels * levels_));
    for (int64_t n = 0; n < channels; ++n)
        for (int j = 0; j < levels_; ++j) by_level_[size_t(j * channels + n)] = params.thresholds[size_t(n * levels_ + j)];
    value_.resize(size_t(channels));
}

void PositionActivation::operator()(const int64_t* acc, int64_t values, int32_t* out) {
    const int64_t channels = layer_.out.channels;
    if (levels_ == 0) {
        for (int64_t i = 0; i < values; ++i) out[i] = activate(layer_, params_, int(i % channels), scale_ * acc[i]);
        return;
    }
    const int64_t positions = values / channels;
    const int64_t p = count_levels(acc, scale_, positions, channels, by_level_.data(), levels_, value_.data(), out);
    if (p < positions)
        for (int64_t n = 0; n < channels; ++n) activate(layer_, params_, int(n), scale_ * acc[p * channels + n]);  // throws
}

}  // namespace qsim::golden
