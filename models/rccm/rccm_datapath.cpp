#include "models/rccm/rccm_datapath.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "models/mvtu/pe_datapath_avx2.hpp"
#include "models/rccm/rccm_dot_avx2.hpp"

namespace qsim {

namespace {

constexpr uint64_t kTruthTableEntries = uint64_t(1) << 20;

}  // namespace

RccmDatapath::RccmDatapath(const WeightMemory& memory, RccmKind kind, Encoding input, int input_bits, int32_t lambda,
                           int dots_per_input)
    : circuit_(rccm_circuit(kind)),
      fan_in_(memory.fan_in()),
      channels_(memory.channels()),
      encoding_(input),
      lambda_(lambda),
      codes_(uint32_t(1) << circuit_.select_bits()),
      selects_(size_t(memory.channels()) * size_t(memory.fan_in())),
      input_(size_t(memory.fan_in())) {
    if (memory.bits() != circuit_.select_bits())
        throw std::invalid_argument(std::string("RCCM datapath: the ") + rccm_name(kind) + " circuit takes " +
                                    std::to_string(circuit_.select_bits()) + "-bit select indices, the weight memory holds " +
                                    std::to_string(memory.bits()) + "-bit fields");
    if (input == Encoding::Accumulator)
        throw std::invalid_argument("RCCM datapath cannot take raw accumulators");
    if (input_bits < 1 || input_bits > 16)
        throw std::invalid_argument("RCCM datapath: inputs of 1..16 bits, got " + std::to_string(input_bits));
    if (lambda < 1 || lambda > 255)
        throw std::invalid_argument("RCCM datapath: lambda must be an 8-bit scale 1..255, got " + std::to_string(lambda));
    switch (input) {
        case Encoding::Bipolar: min_code_ = 0, max_code_ = 1; break;
        case Encoding::Signed: min_code_ = -(1 << (input_bits - 1)), max_code_ = (1 << (input_bits - 1)) - 1; break;
        default: min_code_ = 0, max_code_ = (1 << input_bits) - 1; break;
    }
    // Read every select field out of the PE memories: channel n lives in PE n % PE at the words
    // (n / PE) * SF + s / SIMD, lane s % SIMD in bits [(s % SIMD) * b, ...).
    const int pe = memory.pe_count(), simd = memory.simd(), bits = memory.bits();
    const uint64_t folds = uint64_t(fan_in_ / simd);
    const uint64_t mask = (uint64_t(1) << bits) - 1;
    for (int n = 0; n < channels_; ++n) {
        for (int64_t s = 0; s < fan_in_; ++s) {
            const uint64_t* word = memory.word(n % pe, uint64_t(n / pe) * folds + uint64_t(s / simd));
            const int offset = int(s % simd) * bits, chunk = offset / 64, shift = offset % 64;
            uint64_t code = word[chunk] >> shift;
            if (shift + bits > 64) code |= word[chunk + 1] << (64 - shift);
            selects_[size_t(n) * size_t(fan_in_) + size_t(s)] = uint8_t(code & mask);
        }
    }
    if (decode_coefficients()) return;
    const uint64_t input_codes = uint64_t(int64_t(max_code_) - min_code_ + 1);
    if (input_codes * codes_ <= kTruthTableEntries) {
        // The circuit's truth table: every (input code, select index) through its adders once.
        mode_ = Mode::TruthTable;
        products_.resize(size_t(input_codes * codes_));
        for (int32_t code = min_code_; code <= max_code_; ++code)
            for (uint32_t c = 0; c < codes_; ++c)
                products_[size_t(code - min_code_) * codes_ + c] =
                    int32_t(rccm_multiply(circuit_, c, decode_value(code, encoding_)));
        rows_.resize(size_t(fan_in_));
    } else {
        // 16-bit inputs: |c x| < 1214 * 2^16 < 2^31 fits the 32-bit per-input table.
        mode_ = dots_per_input > int(codes_) ? Mode::InputTable : Mode::Direct;
        if (mode_ == Mode::InputTable) products_.resize(size_t(fan_in_) * codes_);
    }
}

bool RccmDatapath::decode_coefficients() {
#ifdef QSIM_X86_SIMD
    if (!avx2_kernels_enabled()) return false;
    const int64_t lo = decode_value(min_code_, encoding_), hi = decode_value(max_code_, encoding_);
    if (lo < std::numeric_limits<int16_t>::min() || hi > std::numeric_limits<int16_t>::max()) return false;
    // Each select index's coefficient; the circuit is linear in x (shifts and adds), checked at
    // both input extremes so a product of the table is never anything but coefficient x input.
    std::vector<int64_t> coef(codes_);
    std::vector<bool> used(codes_, false);
    for (uint8_t s : selects_) used[s] = true;
    int64_t max_coef = 0;
    for (uint32_t c = 0; c < codes_; ++c) {
        coef[c] = rccm_multiply(circuit_, c, 1);
        if (rccm_multiply(circuit_, c, int32_t(lo)) != coef[c] * lo || rccm_multiply(circuit_, c, int32_t(hi)) != coef[c] * hi)
            return false;
        if (coef[c] < std::numeric_limits<int16_t>::min() || coef[c] > std::numeric_limits<int16_t>::max()) return false;
        if (used[c]) max_coef = std::max(max_coef, coef[c] < 0 ? -coef[c] : coef[c]);
    }
    const int64_t max_x = std::max(lo < 0 ? -lo : lo, hi < 0 ? -hi : hi);
    const int64_t max_product = max_coef * max_x;
    constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
    bool fits8 = true;
    for (uint32_t c = 0; c < codes_; ++c)
        if (used[c] && (coef[c] < -128 || coef[c] > 127)) fits8 = false;
    // int8 rows go through the MAC kernels, whose int32 sum must hold the whole accumulator.
    narrow8_ = fits8 && max_product * fan_in_ <= kInt32Max;
    flush_steps_ = max_product == 0 ? std::numeric_limits<int64_t>::max() / 32 : kInt32Max / (2 * max_product);
    stride_ = (fan_in_ + 15) / 16 * 16;
    const size_t rows = size_t(channels_) * size_t(stride_);
    if (narrow8_) {
        coef8_.assign(rows, 0);
        rows8_.resize(size_t(channels_));
    } else {
        coef16_.assign(rows, 0);
        rows16_.resize(size_t(channels_));
    }
    for (int n = 0; n < channels_; ++n) {
        const uint8_t* sel = &selects_[size_t(n) * size_t(fan_in_)];
        const size_t row = size_t(n) * size_t(stride_);
        if (narrow8_) {
            for (int64_t s = 0; s < fan_in_; ++s) coef8_[row + size_t(s)] = int8_t(coef[sel[s]]);
            rows8_[size_t(n)] = &coef8_[row];
        } else {
            for (int64_t s = 0; s < fan_in_; ++s) coef16_[row + size_t(s)] = int16_t(coef[sel[s]]);
            rows16_[size_t(n)] = &coef16_[row];
        }
    }
    x16_.assign(size_t(stride_), 0);
    mode_ = Mode::Coefficients;
    return true;
#else
    return false;
#endif
}

void RccmDatapath::load_input(const int32_t* codes) {
    for (int64_t s = 0; s < fan_in_; ++s) {
        if (codes[s] < min_code_ || codes[s] > max_code_)
            throw std::out_of_range("RCCM datapath: input code " + std::to_string(codes[s]) + " outside " +
                                    std::to_string(min_code_) + ".." + std::to_string(max_code_));
        if (mode_ == Mode::Coefficients) {
            x16_[size_t(s)] = int16_t(decode_value(codes[s], encoding_));
            continue;
        }
        input_[size_t(s)] = decode_value(codes[s], encoding_);
        if (mode_ == Mode::TruthTable) rows_[size_t(s)] = &products_[size_t(codes[s] - min_code_) * codes_];
    }
    if (mode_ != Mode::InputTable) return;
    for (int64_t s = 0; s < fan_in_; ++s) {
        int32_t* row = &products_[size_t(s) * codes_];
        for (uint32_t c = 0; c < codes_; ++c) row[c] = int32_t(rccm_multiply(circuit_, c, input_[size_t(s)]));
    }
}

int64_t RccmDatapath::accumulator(int n) const {
    const uint8_t* sel = &selects_[size_t(n) * size_t(fan_in_)];
    int64_t acc = 0;
    switch (mode_) {
        case Mode::TruthTable: {
            const int32_t* const* row = rows_.data();
            for (int64_t s = 0; s < fan_in_; ++s) acc += row[s][sel[s]];
            break;
        }
        case Mode::InputTable: {
            const int32_t* p = products_.data();
            for (int64_t s = 0; s < fan_in_; ++s, p += codes_) acc += p[sel[s]];
            break;
        }
        case Mode::Direct:
            for (int64_t s = 0; s < fan_in_; ++s) acc += rccm_multiply(circuit_, sel[s], input_[size_t(s)]);
            break;
        case Mode::Coefficients:
#ifdef QSIM_X86_SIMD
            if (narrow8_) return dot16_avx2(rows8_[size_t(n)], x16_.data(), stride_);
            return rccm_dot16_avx2(rows16_[size_t(n)], x16_.data(), stride_, flush_steps_);
#endif
            break;
    }
    return acc;
}

int64_t RccmDatapath::dot(int n) const { return int64_t(lambda_) * accumulator(n); }

void RccmDatapath::dots(int first, int count, int64_t* acc) const {
    int i = 0;
#ifdef QSIM_X86_SIMD
    if (mode_ == Mode::Coefficients)
        for (; i + 4 <= count; i += 4) {
            if (narrow8_) {
                int32_t four[4];
                dot16x4_avx2(&rows8_[size_t(first + i)], x16_.data(), stride_, four);
                for (int k = 0; k < 4; ++k) acc[i + k] = int64_t(lambda_) * four[k];
            } else {
                rccm_dot16x4_avx2(&rows16_[size_t(first + i)], x16_.data(), stride_, flush_steps_, acc + i);
                for (int k = 0; k < 4; ++k) acc[i + k] *= lambda_;
            }
        }
#endif
    for (; i < count; ++i) acc[i] = dot(first + i);
}

LayerParams rccm_memory_image(const LayerParams& params) {
    LayerParams image = params;
    image.weights.assign(params.selects.begin(), params.selects.end());  // uint8 -> int8: the same bits
    image.selects.clear();
    return image;
}

}  // namespace qsim
