#include "models/rccm/rccm_dot_avx2.hpp"

#ifdef QSIM_X86_SIMD
#include <algorithm>

namespace qsim {

namespace {

// The 8 int32 lanes of v widened to int64 and added to the 4 int64 lanes of acc.
__attribute__((target("avx2"))) inline __m256i widen_add(__m256i acc, __m256i v) {
    acc = _mm256_add_epi64(acc, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)));
    return _mm256_add_epi64(acc, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1)));
}

__attribute__((target("avx2"))) inline int64_t sum_lanes64(__m256i v) {
    const __m128i q = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_cvtsi128_si64(q) + _mm_extract_epi64(q, 1);
}

__attribute__((target("avx2"))) inline __m256i load16(const int16_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

}  // namespace

__attribute__((target("avx2"))) int64_t rccm_dot16_avx2(const int16_t* w, const int16_t* x, int64_t n,
                                                        int64_t flush_steps) {
    __m256i total = _mm256_setzero_si256();
    for (int64_t s0 = 0; s0 < n; s0 += 16 * flush_steps) {
        const int64_t end = std::min(n, s0 + 16 * flush_steps);
        __m256i a = _mm256_setzero_si256();
        for (int64_t s = s0; s < end; s += 16) a = _mm256_add_epi32(a, _mm256_madd_epi16(load16(w + s), load16(x + s)));
        total = widen_add(total, a);
    }
    return sum_lanes64(total);
}

__attribute__((target("avx2"))) void rccm_dot16x4_avx2(const int16_t* const* w, const int16_t* x, int64_t n,
                                                       int64_t flush_steps, int64_t* out) {
    const int16_t *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
    __m256i t0 = _mm256_setzero_si256(), t1 = t0, t2 = t0, t3 = t0;
    for (int64_t s0 = 0; s0 < n; s0 += 16 * flush_steps) {
        const int64_t end = std::min(n, s0 + 16 * flush_steps);
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t s = s0; s < end; s += 16) {
            const __m256i v = load16(x + s);
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(load16(w0 + s), v));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(load16(w1 + s), v));
            a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(load16(w2 + s), v));
            a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(load16(w3 + s), v));
        }
        t0 = widen_add(t0, a0);
        t1 = widen_add(t1, a1);
        t2 = widen_add(t2, a2);
        t3 = widen_add(t3, a3);
    }
    out[0] = sum_lanes64(t0);
    out[1] = sum_lanes64(t1);
    out[2] = sum_lanes64(t2);
    out[3] = sum_lanes64(t3);
}

}  // namespace qsim
#endif
