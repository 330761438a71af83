#include "models/mvtu/pe_datapath_avx2.hpp"

#ifdef QSIM_X86_SIMD
#include <algorithm>

namespace qsim {

namespace {

// Popcount of each byte of v: a 16-entry table looked up for each nibble (VPSHUFB).
__attribute__((target("avx2"))) inline __m256i popcount_bytes(__m256i v) {
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                           0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    return _mm256_add_epi8(_mm256_shuffle_epi8(table, _mm256_and_si256(v, low)),
                           _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low)));
}

// total[j][h] lane k = popcount of plane j of x ANDed with channel 4h + k's weight bits, over
// `words` words: each plane's counts summed in bytes for up to 31 words (at most 8 a word, so
// at most 248) and then into 64-bit lanes (VPSADBW).
template <int Planes>
__attribute__((target("avx2"))) inline void plane_popcounts(const uint64_t* x, const uint64_t* w, size_t words,
                                                            __m256i (&total)[Planes][2]) {
    const __m256i zero = _mm256_setzero_si256();
    for (int j = 0; j < Planes; ++j) total[j][0] = total[j][1] = zero;
    for (size_t i0 = 0; i0 < words; i0 += 31) {
        const size_t end = std::min(words, i0 + 31);
        __m256i bytes[Planes][2];
        for (int j = 0; j < Planes; ++j) bytes[j][0] = bytes[j][1] = zero;
        for (size_t i = i0; i < end; ++i) {
            const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i * 8));
            const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i * 8 + 4));
            for (int j = 0; j < Planes; ++j) {
                const __m256i xj = _mm256_set1_epi64x(int64_t(x[i * Planes + size_t(j)]));
                bytes[j][0] = _mm256_add_epi8(bytes[j][0], popcount_bytes(_mm256_and_si256(xj, w0)));
                bytes[j][1] = _mm256_add_epi8(bytes[j][1], popcount_bytes(_mm256_and_si256(xj, w1)));
            }
        }
        for (int j = 0; j < Planes; ++j)
            for (int h = 0; h < 2; ++h) total[j][h] = _mm256_add_epi64(total[j][h], _mm256_sad_epu8(bytes[j][h], zero));
    }
}

// The popcounts, then the 8 dot products from them in the registers (VPMULDQ multiplies the
// low 32 bits of each lane, exact under the caller's int32 bound).
template <int Planes>
__attribute__((target("avx2"))) void block_dots(const uint64_t* x, const uint64_t* w, size_t words, const int64_t* base,
                                                const int64_t* weight, const int64_t* count, int64_t* out) {
    __m256i total[Planes][2];
    plane_popcounts<Planes>(x, w, words, total);
    for (int h = 0; h < 2; ++h) {
        __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + 4 * h));
        for (int j = 0; j < Planes; ++j) {
            const __m256i t = _mm256_sub_epi64(_mm256_add_epi64(total[j][h], total[j][h]), _mm256_set1_epi64x(count[j]));
            v = _mm256_add_epi64(v, _mm256_mul_epi32(t, _mm256_set1_epi64x(weight[j])));
        }
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4 * h), v);
    }
}

// The low bytes of codes[0..31] in order (each code masked to 8 bits, so the unsigned
// saturating packs keep it whole).
__attribute__((target("avx2"))) inline __m256i low_bytes32(const int32_t* codes) {
    const __m256i byte = _mm256_set1_epi32(0xFF);
    __m256i v[4];
    for (int q = 0; q < 4; ++q)
        v[q] = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + 8 * q)), byte);
    // Within each 128-bit half the packs interleave: dwords of bytes (v0 lo, v1 lo, v2 lo, v3 lo |
    // v0 hi, v1 hi, v2 hi, v3 hi); the permutation puts them in order.
    const __m256i b = _mm256_packus_epi16(_mm256_packus_epi32(v[0], v[1]), _mm256_packus_epi32(v[2], v[3]));
    return _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// Sign-extended int8 weights times int16 inputs, 16 a step, summed in pairs into 8 int32 lanes.
__attribute__((target("avx2"))) inline __m256i madd16(const int8_t* w, const int16_t* x) {
    const __m256i w16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
    return _mm256_madd_epi16(w16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x)));
}

__attribute__((target("avx2"))) inline int32_t sum_lanes(__m256i v) {
    __m128i q = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    q = _mm_add_epi32(q, _mm_shuffle_epi32(q, 0x4E));
    q = _mm_add_epi32(q, _mm_shuffle_epi32(q, 0xB1));
    return _mm_cvtsi128_si32(q);
}

// The products past the last whole step of 16, added one by one (unsigned, so wrapping).
inline int32_t tail_dot(const int8_t* w, const int16_t* x, int64_t from, int64_t n, int32_t acc) {
    uint32_t sum = uint32_t(acc);
    for (int64_t s = from; s < n; ++s) sum += uint32_t(int32_t(w[s]) * int32_t(x[s]));
    return int32_t(sum);
}

}  // namespace

BlockDotsAvx2Fn block_dots_avx2_for(int planes) {
    switch (planes) {
        case 1: return block_dots<1>;
        case 2: return block_dots<2>;
        case 3: return block_dots<3>;
        case 4: return block_dots<4>;
        case 5: return block_dots<5>;
        case 6: return block_dots<6>;
        case 7: return block_dots<7>;
        case 8: return block_dots<8>;
    }
    return nullptr;
}

// 64 codes a word: their low bytes in two registers, bit j of each byte moved to its top bit
// (a 16-bit shift left by 7 - j keeps every byte's own bit there) and gathered (VPMOVMSKB).
// The last partial word is split from a zero-padded copy.
__attribute__((target("avx2"))) void split_planes8_avx2(const int32_t* codes, int64_t count, int planes,
                                                        uint64_t* out) {
    const int64_t words = (count + 63) / 64;
    for (int64_t w = 0; w < words; ++w) {
        const int32_t* c = codes + w * 64;
        int32_t padded[64];
        if (count - w * 64 < 64) {
            std::fill(std::copy(c, codes + count, padded), padded + 64, 0);
            c = padded;
        }
        const __m256i lo = low_bytes32(c), hi = low_bytes32(c + 32);
        for (int j = 0; j < planes; ++j) {
            const __m128i shift = _mm_cvtsi32_si128(7 - j);
            const uint32_t a = uint32_t(_mm256_movemask_epi8(_mm256_sll_epi16(lo, shift)));
            const uint32_t b = uint32_t(_mm256_movemask_epi8(_mm256_sll_epi16(hi, shift)));
            out[size_t(w) * size_t(planes) + size_t(j)] = uint64_t(a) | uint64_t(b) << 32;
        }
    }
}

__attribute__((target("avx2"))) int32_t dot16_avx2(const int8_t* w, const int16_t* x, int64_t n) {
    __m256i acc = _mm256_setzero_si256();
    int64_t s = 0;
    for (; s + 16 <= n; s += 16) acc = _mm256_add_epi32(acc, madd16(w + s, x + s));
    return tail_dot(w, x, s, n, sum_lanes(acc));
}

__attribute__((target("avx2"))) void dot16x4_avx2(const int8_t* const* w, const int16_t* x, int64_t n, int32_t* out) {
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    const int8_t *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
    int64_t s = 0;
    for (; s + 16 <= n; s += 16) {
        a0 = _mm256_add_epi32(a0, madd16(w0 + s, x + s));
        a1 = _mm256_add_epi32(a1, madd16(w1 + s, x + s));
        a2 = _mm256_add_epi32(a2, madd16(w2 + s, x + s));
        a3 = _mm256_add_epi32(a3, madd16(w3 + s, x + s));
    }
    out[0] = tail_dot(w0, x, s, n, sum_lanes(a0));
    out[1] = tail_dot(w1, x, s, n, sum_lanes(a1));
    out[2] = tail_dot(w2, x, s, n, sum_lanes(a2));
    out[3] = tail_dot(w3, x, s, n, sum_lanes(a3));
}

}  // namespace qsim
#endif
