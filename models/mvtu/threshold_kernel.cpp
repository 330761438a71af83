#include "models/mvtu/threshold_kernel.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/common/x86_simd.hpp"
#include "models/mvtu/pe_datapath_kernel.hpp"

namespace qsim {

ThresholdUnit::ThresholdUnit(const LayerConfig& layer, const LayerParams& params)
    : type_(layer.activation.type),
      per_channel_(layer.thresholds_per_channel()),
      max_code_(layer.activation.bits >= 31 ? INT32_MAX : (int32_t(1) << layer.activation.bits) - 1),
      thresholds_(params.thresholds),
      bias_(params.bias),
      mul_(params.mul),
      shift_(params.shift),
      channels_(layer.out.channels) {
    const size_t channels = size_t(layer.out.channels);
    if ((type_ == ActivationType::Thresholds || type_ == ActivationType::Bipolar) &&
        thresholds_.size() != channels * size_t(per_channel_))
        throw std::invalid_argument(layer.name + ": expected " + std::to_string(channels * per_channel_) +
                                    " thresholds, got " + std::to_string(thresholds_.size()));
    if (type_ == ActivationType::Relu && (bias_.size() != channels || shift_ < 1))
        throw std::invalid_argument(layer.name + ": ReLU needs one bias per channel and shift >= 1");
#ifdef QSIM_X86_SIMD
    if ((type_ == ActivationType::Thresholds || type_ == ActivationType::Bipolar) && per_channel_ >= 1 &&
        per_channel_ <= 8 && avx512_kernels_enabled()) {
        planar_.resize(thresholds_.size());
        for (size_t n = 0; n < channels; ++n)
            for (int j = 0; j < per_channel_; ++j)
                planar_[size_t(j) * channels + n] = thresholds_[n * size_t(per_channel_) + size_t(j)];
    }
#endif
    if ((type_ == ActivationType::Thresholds || type_ == ActivationType::Bipolar) && per_channel_ >= 1 &&
        planar_.empty()) {
        // Above 8 thresholds apply() searches; a count gives the same code where they ascend.
        bool ascending = true;
        for (size_t n = 0; n < channels && ascending; ++n) {
            const int32_t* t = thresholds_.data() + n * size_t(per_channel_);
            ascending = std::is_sorted(t, t + per_channel_);
        }
        if (per_channel_ <= 8 || ascending) {
            // Blocks of 16 channels (the last padded), each threshold's 16 side by side.
            blocked_.assign((channels + 15) / 16 * 16 * size_t(per_channel_), INT32_MAX);
            for (size_t n = 0; n < channels; ++n)
                for (int j = 0; j < per_channel_; ++j)
                    blocked_[block_index(n, j)] = thresholds_[n * size_t(per_channel_) + size_t(j)];
#ifdef QSIM_X86_SIMD
            avx2_ = avx2_kernels_enabled();
#endif
        }
    }
}

namespace {

inline int32_t clamp_to_int32(int64_t acc) { return int32_t(std::clamp<int64_t>(acc, INT32_MIN, INT32_MAX)); }

// Thresholds reached by acc[i] among channel (first + i)'s T, from the table in blocks of 16
// channels (ThresholdUnit::blocked_), the accumulator clamped to int32 (which leaves every
// comparison with an int32 threshold as it was).
void count_reached_blocked(const int64_t* acc, const int32_t* table, int per_channel, int first, int count,
                           int32_t* out) {
    for (int i = 0; i < count; ++i) {
        const size_t n = size_t(first + i);
        const int32_t* t = table + (n / 16) * 16 * size_t(per_channel) + n % 16;
        const int32_t a = clamp_to_int32(acc[i]);
        int32_t code = 0;
        for (int j = 0; j < per_channel; ++j) code += a >= t[16 * j] ? 1 : 0;
        out[i] = code;
    }
}

#ifdef QSIM_X86_SIMD
// Four accumulators clamped to int32.
__attribute__((target("avx2"))) inline __m128i clamp4_to_int32(const int64_t* acc) {
    const __m256i hi = _mm256_set1_epi64x(INT32_MAX), lo = _mm256_set1_epi64x(INT32_MIN);
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc));
    v = _mm256_blendv_epi8(v, hi, _mm256_cmpgt_epi64(v, hi));
    v = _mm256_blendv_epi8(v, lo, _mm256_cmpgt_epi64(lo, v));
    return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
}

// The codes of one block of 16 channels (t: its table) for the accumulators acc[0..15]: each
// threshold compared with the 16 at once, the thresholds above an accumulator counted (as -1s)
// and taken from the count.
__attribute__((target("avx2"))) inline void count_block_avx2(const int64_t* acc, const int32_t* t, int per_channel,
                                                             int32_t* out) {
    const __m256i a0 = _mm256_set_m128i(clamp4_to_int32(acc + 4), clamp4_to_int32(acc));
    const __m256i a1 = _mm256_set_m128i(clamp4_to_int32(acc + 12), clamp4_to_int32(acc + 8));
    __m256i code0 = _mm256_set1_epi32(per_channel), code1 = code0;
    for (int j = 0; j < per_channel; ++j, t += 16) {
        const __m256i t0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t));
        const __m256i t1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + 8));
        code0 = _mm256_add_epi32(code0, _mm256_cmpgt_epi32(t0, a0));
        code1 = _mm256_add_epi32(code1, _mm256_cmpgt_epi32(t1, a1));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), code0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), code1);
}

// count_reached_blocked a block at a time with AVX2; a run that starts inside a block counts
// its channels up to the next one singly, and a last partial block is counted whole from copies.
__attribute__((target("avx2"))) void count_reached_avx2(const int64_t* acc, const int32_t* table, int per_channel,
                                                        int first, int count, int32_t* out) {
    const int head = std::min(count, (16 - first % 16) % 16);
    count_reached_blocked(acc, table, per_channel, first, head, out);
    const size_t block_size = 16 * size_t(per_channel);
    int i = head;
    for (; i + 16 <= count; i += 16)
        count_block_avx2(acc + i, table + size_t((first + i) / 16) * block_size, per_channel, out + i);
    if (i < count) {
        int64_t rest[16] = {};
        int32_t codes[16];
        std::copy(acc + i, acc + count, rest);
        count_block_avx2(rest, table + size_t((first + i) / 16) * block_size, per_channel, codes);
        std::copy(codes, codes + (count - i), out + i);
    }
}

// The count for 8 channels a step in int64: each threshold compared with the 8
// accumulators at once, the count incremented where reached (see ThresholdUnit::planar_).
__attribute__((target("avx512f"))) void count_reached_simd(const int64_t* acc, const int64_t* planar, size_t stride,
                                                           int per_channel, int count, int32_t* out) {
    const __m512i one = _mm512_set1_epi64(1);
    for (int i = 0; i < count; i += 8) {
        const __mmask8 m = count - i >= 8 ? __mmask8(0xFF) : __mmask8((1u << (count - i)) - 1);
        const __m512i a = _mm512_maskz_loadu_epi64(m, acc + i);
        __m512i code = _mm512_setzero_si512();
        for (int j = 0; j < per_channel; ++j) {
            const __m512i t = _mm512_maskz_loadu_epi64(m, planar + size_t(j) * stride + size_t(i));
            code = _mm512_mask_add_epi64(code, _mm512_cmpge_epi64_mask(a, t), code, one);
        }
        _mm512_mask_cvtepi64_storeu_epi32(out + i, m, code);
    }
}
#endif

}  // namespace

void ThresholdUnit::apply(const int64_t* acc, int first, int count, int32_t* out) const {
#ifdef QSIM_X86_SIMD
    if (!planar_.empty()) {
        count_reached_simd(acc, planar_.data() + first, size_t(channels_), per_channel_, count, out);
        return;
    }
    if (avx2_) {
        count_reached_avx2(acc, blocked_.data(), per_channel_, first, count, out);
        return;
    }
#endif
    if (!blocked_.empty()) {
        count_reached_blocked(acc, blocked_.data(), per_channel_, first, count, out);
        return;
    }
    if (type_ == ActivationType::None) {
        for (int i = 0; i < count; ++i) out[i] = int32_t(acc[i]);
        return;
    }
    for (int i = 0; i < count; ++i) out[i] = apply(acc[i], first + i);
}

int32_t ThresholdUnit::apply(int64_t acc, int channel) const {
    switch (type_) {
        case ActivationType::Thresholds:
        case ActivationType::Bipolar: {
            const int32_t* t = thresholds_.data() + size_t(channel) * per_channel_;
            // Output code = number of thresholds the accumulator reaches (they ascend, so
            // counting them is the same as searching; a count is faster for a few).
            if (per_channel_ <= 8) {
                int32_t code = 0;
                for (int j = 0; j < per_channel_; ++j) code += acc >= t[j] ? 1 : 0;
                return code;
            }
            return int32_t(std::upper_bound(t, t + per_channel_, acc,
                                            [](int64_t a, int32_t th) { return a < th; }) - t);
        }
        case ActivationType::Relu: {
            const int64_t scaled = ((acc + bias_[channel]) * mul_ + (int64_t(1) << (shift_ - 1))) >> shift_;
            return int32_t(std::clamp<int64_t>(scaled, 0, max_code_));
        }
        case ActivationType::None:
            return int32_t(acc);
    }
    return 0;
}

}  // namespace qsim
