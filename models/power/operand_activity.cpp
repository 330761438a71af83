#include "models/power/operand_activity.hpp"

#include <algorithm>


#include "models/common/int_math.hpp"

namespace qsim {

namespace {

uint32_t lane_mask(int bits) { return bits >= 32 ? 0xFFFFFFFFu : (uint32_t(1) << bits) - 1; }

}  // namespace

BusMeter::BusMeter(int lanes, int bits, int32_t zero_code)
    : lanes_(size_t(std::max(1, lanes))), bits_(bits), mask_(lane_mask(bits)), zero_(zero_code), last_(lanes_, 0) {}

void BusMeter::count(const int32_t* codes, size_t n) {
    if (n == 0) return;
    const size_t step = lanes_;
    uint64_t toggles = 0, zeros = 0;
    // The first word against what each lane carried last (nothing before the very first).
    const size_t head = std::min(n, step);
    for (size_t i = 0; i < head; ++i) {
        if (codes[i] == zero_) ++zeros;
        if (primed_) toggles += uint64_t(__builtin_popcount((uint32_t(codes[i]) ^ uint32_t(last_[i])) & mask_));
    }
    for (size_t i = head; i < n; ++i) {
        if (codes[i] == zero_) ++zeros;
        toggles += uint64_t(__builtin_popcount((uint32_t(codes[i]) ^ uint32_t(codes[i - step])) & mask_));
    }
    for (size_t j = 0; j < head; ++j) last_[j] = codes[j + step * ((n - 1 - j) / step)];
    primed_ = true;
    const uint64_t words = (n + step - 1) / step;
    activity_.words += words;
    activity_.bits += words * step * uint64_t(bits_);
    activity_.toggles += toggles;
    activity_.codes += n;
    activity_.zeros += zeros;
}

OperandActivity weight_read_activity(const LayerConfig& l, const LayerParams& params) {
    OperandActivity a;
    const bool rccm = l.weights.quant == WeightQuant::Rccm;
    const size_t fan_in = size_t(l.fan_in());
    const size_t channels = size_t(l.out.channels);
    const size_t count = rccm ? params.selects.size() : params.weights.size();
    if (fan_in == 0 || count < fan_in * channels) return a;
    const int pe = std::max(1, l.physical_pe());
    const int simd = std::max(1, l.folding.simd);
    const int bits = std::max(1, l.weights.bits);  // rccm: the select bits
    const int32_t zero = rccm ? -1 : 0;  // an RCCM select always picks a coefficient
    // Binary weights are stored as one bit: +1 -> 1, -1 -> 0.
    const bool binary = !rccm && l.weights.bits == 1;
    auto code = [&](size_t i) -> int32_t {
        if (rccm) return int32_t(params.selects[i]);
        const int32_t w = params.weights[i];
        return binary ? int32_t(w > 0) : w;
    };
    const size_t nf = size_t(ceil_div(uint64_t(channels), uint64_t(pe)));
    const size_t sf = size_t(ceil_div(uint64_t(fan_in), uint64_t(simd)));
    std::vector<int32_t> stream;
    stream.reserve(nf * sf * size_t(simd));
    for (int p = 0; p < pe; ++p) {
        stream.clear();
        for (size_t f = 0; f < nf; ++f) {
            const size_t n = f * size_t(pe) + size_t(p);
            for (size_t s = 0; s < sf * size_t(simd); ++s)
                stream.push_back(n < channels && s < fan_in ? code(n * fan_in + s) : 0);
        }
        BusMeter bus(simd, bits, binary ? -1 : zero);  // each PE its own weight bus
        bus.count(stream.data(), stream.size());
        a += bus.activity();
    }
    return a;
}

}  // namespace qsim
