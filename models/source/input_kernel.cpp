#include "models/source/input_kernel.hpp"

#include <stdexcept>
#include <string>

#include "models/common/rng.hpp"
#include "models/common/x86_simd.hpp"

namespace qsim {

namespace {

// Codes [first, first + count) of a generated frame: code i is below(levels) of the stream's
// (i + 1)-th value, finalize(seed + (i + 1) * kGamma), shifted to the lowest code. Each code
// stands alone, so the loop vectorises where the processor multiplies 64-bit lanes (AVX-512 DQ:
// twice as fast as scalar code here; AVX2, which has to emulate them, was slower than scalar).
inline void generated_codes(uint64_t seed, uint64_t first, size_t count, uint32_t levels, int32_t lowest,
                            int32_t* out) {
    uint64_t state = seed + (first + 1) * Rng::kGamma;
    for (size_t i = 0; i < count; ++i, state += Rng::kGamma)
        out[i] = lowest + int32_t(Rng::scale_below(Rng::finalize(state), levels));
}

#ifdef QSIM_X86_SIMD
__attribute__((target("avx512f,avx512dq,avx512vl"))) void generated_codes_avx512(uint64_t seed, uint64_t first,
                                                                                   size_t count, uint32_t levels,
                                                                                   int32_t lowest, int32_t* out) {
    generated_codes(seed, first, count, levels, lowest, out);
}
#endif

}  // namespace

void generate_input_codes(const InputConfig& input, int frame, size_t first, size_t count, int32_t* out) {
    const uint64_t seed = Rng::mix(input.seed, uint64_t(frame) + 1);
    const uint32_t levels = uint32_t(1) << input.bits;
    const int32_t lowest = input.is_signed ? -int32_t(levels / 2) : 0;
#ifdef QSIM_X86_SIMD
    static const bool avx512 = __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    if (avx512) return generated_codes_avx512(seed, first, count, levels, lowest, out);
#endif
    generated_codes(seed, first, count, levels, lowest, out);
}

FeatureMap generate_input_frame(const InputConfig& input, int frame) {
    FeatureMap fm(input.shape);
    generate_input_codes(input, frame, 0, fm.data.size(), fm.data.data());
    return fm;
}

FeatureMap input_frame(const InputConfig& input, int frame) {
    if (!input.frames) return generate_input_frame(input, frame);
    if (frame < 0 || size_t(frame) >= input.frames->size())
        throw std::out_of_range("frame " + std::to_string(frame) + " past the data set's " +
                                std::to_string(input.frames->size()) + " images");
    return (*input.frames)[size_t(frame)];
}

}  // namespace qsim
