#include "models/mvtu/pe_datapath_kernel.hpp"

#include <stdexcept>

#include "models/common/int_math.hpp"

namespace qsim {

namespace {

inline int popcount(uint64_t x) { return __builtin_popcountll(x); }

uint64_t tail_mask_for(int64_t fan_in) {
    const int rem = int(fan_in % 64);
    return rem == 0 ? ~uint64_t(0) : (uint64_t(1) << rem) - 1;
}

}  // namespace

std::unique_ptr<PeDatapath> make_pe_datapath(Datapath kind, Encoding input, int input_bits,
                                             const WeightMemory& memory) {
    switch (kind) {
        case Datapath::XnorPopcount:
            if (input != Encoding::Bipolar)
                throw std::invalid_argument("XNOR-popcount datapath needs bipolar activations");
            return std::make_unique<XnorPopcountDatapath>(memory);
        case Datapath::AddSub:
            return std::make_unique<AddSubDatapath>(memory, input, input_bits);
        case Datapath::DspMac:
            return std::make_unique<MacDatapath>(memory, input);
    }
    throw std::invalid_argument("unknown datapath");
}

// ---------------------------------------------------------------------------------------
XnorPopcountDatapath::XnorPopcountDatapath(const WeightMemory& memory)
    : fan_in_(memory.fan_in()),
      words_(ceil_div(uint64_t(memory.fan_in()), 64)),
      tail_mask_(tail_mask_for(memory.fan_in())),
      weights_(size_t(memory.channels()) * words_, 0),
      input_(words_, 0) {
    if (memory.bits() != 1) throw std::invalid_argument("XNOR-popcount datapath needs binary weights");
    for (int n = 0; n < memory.channels(); ++n)
        for (int64_t s = 0; s < fan_in_; ++s)
            if (memory.weight(n, s) > 0) weights_[n * words_ + size_t(s / 64)] |= uint64_t(1) << (s % 64);
}

void XnorPopcountDatapath::load_input(const int32_t* codes) {
    std::fill(input_.begin(), input_.end(), 0);
    for (int64_t s = 0; s < fan_in_; ++s)
        input_[size_t(s / 64)] |= uint64_t(codes[s] & 1) << (s % 64);
}

int64_t XnorPopcountDatapath::dot(int n) const {
    const uint64_t* w = &weights_[size_t(n) * words_];
    int64_t matches = 0;
    for (size_t i = 0; i + 1 < words_; ++i) matches += popcount(~(w[i] ^ input_[i]));
    matches += popcount(~(w[words_ - 1] ^ input_[words_ - 1]) & tail_mask_);
    return 2 * matches - fan_in_;
}

// ---------------------------------------------------------------------------------------
AddSubDatapath::AddSubDatapath(const WeightMemory& memory, Encoding input, int input_bits)
    : fan_in_(memory.fan_in()), words_(ceil_div(uint64_t(memory.fan_in()), 64)) {
    switch (input) {
        case Encoding::Unsigned:
        case Encoding::Signed:
            planes_ = input_bits;
            offset_ = 0;
            for (int j = 0; j < planes_; ++j) plane_weight_.push_back(int64_t(1) << j);
            if (input == Encoding::Signed) plane_weight_.back() = -plane_weight_.back();
            break;
        case Encoding::Bipolar:
            planes_ = 1;
            offset_ = -1;
            plane_weight_ = {2};
            break;
        default:
            throw std::invalid_argument("ADD/SUB datapath cannot take raw accumulators");
    }
    const int channels = memory.channels();
    positive_.assign(size_t(channels) * words_, 0);
    negative_.assign(size_t(channels) * words_, 0);
    weight_sum_.assign(size_t(channels), 0);
    input_.assign(size_t(planes_) * words_, 0);
    for (int n = 0; n < channels; ++n) {
        for (int64_t s = 0; s < fan_in_; ++s) {
            const int w = memory.weight(n, s);
            if (w < -1 || w > 1) throw std::invalid_argument("ADD/SUB datapath needs weights in {-1,0,+1}");
            const uint64_t bit = uint64_t(1) << (s % 64);
            if (w > 0) positive_[n * words_ + size_t(s / 64)] |= bit;
            if (w < 0) negative_[n * words_ + size_t(s / 64)] |= bit;
            weight_sum_[n] += w;
        }
    }
}

void AddSubDatapath::load_input(const int32_t* codes) {
    std::fill(input_.begin(), input_.end(), 0);
    for (int64_t s = 0; s < fan_in_; ++s) {
        const uint32_t code = uint32_t(codes[s]);
        const size_t word = size_t(s / 64);
        const int shift = int(s % 64);
        for (int j = 0; j < planes_; ++j) input_[j * words_ + word] |= uint64_t((code >> j) & 1u) << shift;
    }
}

int64_t AddSubDatapath::dot(int n) const {
    const uint64_t* pos = &positive_[size_t(n) * words_];
    const uint64_t* neg = &negative_[size_t(n) * words_];
    int64_t acc = offset_ * weight_sum_[n];
    for (int j = 0; j < planes_; ++j) {
        const uint64_t* x = &input_[size_t(j) * words_];
        int64_t added = 0, subtracted = 0;
        for (size_t i = 0; i < words_; ++i) {
            added += popcount(x[i] & pos[i]);
            subtracted += popcount(x[i] & neg[i]);
        }
        acc += plane_weight_[j] * (added - subtracted);
    }
    return acc;
}

// ---------------------------------------------------------------------------------------
MacDatapath::MacDatapath(const WeightMemory& memory, Encoding input)
    : fan_in_(memory.fan_in()),
      encoding_(input),
      weights_(size_t(memory.channels()) * size_t(memory.fan_in())),
      input_(size_t(memory.fan_in())) {
    if (input == Encoding::Accumulator)
        throw std::invalid_argument("MAC datapath cannot take raw accumulators");
    for (int n = 0; n < memory.channels(); ++n)
        for (int64_t s = 0; s < fan_in_; ++s) weights_[size_t(n) * fan_in_ + s] = memory.weight(n, s);
}

void MacDatapath::load_input(const int32_t* codes) {
    for (int64_t s = 0; s < fan_in_; ++s) input_[s] = decode_value(codes[s], encoding_);
}

int64_t MacDatapath::dot(int n) const {
    const int32_t* w = &weights_[size_t(n) * fan_in_];
    const int32_t* x = input_.data();
    // The loader bounds |acc| < 2^31, so a 32-bit accumulator is exact (as in hardware).
    int32_t acc = 0;
    for (int64_t s = 0; s < fan_in_; ++s) acc += w[s] * x[s];
    return acc;
}

}  // namespace qsim
