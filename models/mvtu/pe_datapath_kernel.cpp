#include "models/mvtu/pe_datapath_kernel.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "models/common/int_math.hpp"
#include "models/common/x86_simd.hpp"
#include "models/mvtu/pe_datapath_avx2.hpp"

namespace qsim {

namespace {

inline int popcount(uint64_t x) { return __builtin_popcountll(x); }

uint64_t tail_mask_for(int64_t fan_in) {
    const int rem = int(fan_in % 64);
    return rem == 0 ? ~uint64_t(0) : (uint64_t(1) << rem) - 1;
}

// Bit j of each of the 8 bytes of `bytes` gathered into an 8-bit number (byte k -> bit k).
// The multiplier places byte k's bit at position 56 + k; no two partial products overlap.
inline uint64_t gather_bit(uint64_t bytes, int j) {
    return (((bytes >> j) & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56;
}

// The low 8 bits of codes[0..7], one per byte (code k in byte k).
inline uint64_t pack_low_bytes(const int32_t* codes) {
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v |= uint64_t(uint8_t(codes[k])) << (8 * k);
    return v;
}

// Splits `count` codes into `planes` (<= 8) bit planes: out[w * planes + j] holds bit j of
// codes 64w .. 64w+63 (code 64w + b at bit b). Words past the codes stay as they are.
void split_planes8_scalar(const int32_t* codes, int64_t count, int planes, uint64_t* out) {
    const int64_t full = count / 64;
    for (int64_t w = 0; w < full; ++w) {
        uint64_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        const int32_t* c = codes + w * 64;
        for (int g = 0; g < 8; ++g) {
            const uint64_t bytes = pack_low_bytes(c + 8 * g);
            for (int j = 0; j < planes; ++j) acc[j] |= gather_bit(bytes, j) << (8 * g);
        }
        for (int j = 0; j < planes; ++j) out[size_t(w) * planes + j] = acc[j];
    }
    if (full * 64 < count) {
        uint64_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int64_t s = full * 64; s < count; ++s) {
            const uint32_t code = uint32_t(codes[s]);
            for (int j = 0; j < planes; ++j) acc[j] |= uint64_t((code >> j) & 1u) << (s % 64);
        }
        for (int j = 0; j < planes; ++j) out[size_t(full) * planes + j] = acc[j];
    }
}

#ifdef QSIM_X86_SIMD
// The same, 64 codes a step: their low bytes in one register (VPMOVDB), each plane one
// byte-test mask (VPTESTMB). The last partial word loads its codes under a mask (zeros after).
__attribute__((target("avx512f,avx512bw"))) void split_planes8_simd(const int32_t* codes, int64_t count,
                                                                   int planes, uint64_t* out) {
    const int64_t words = (count + 63) / 64;
    for (int64_t w = 0; w < words; ++w) {
        const int32_t* c = codes + w * 64;
        const int64_t n = std::min<int64_t>(64, count - w * 64);  // codes in this word
        __mmask16 m[4];
        for (int q = 0; q < 4; ++q) {
            const int64_t k = std::clamp<int64_t>(n - 16 * q, 0, 16);
            m[q] = __mmask16((1u << k) - 1);
        }
        __m512i bytes = _mm512_zextsi128_si512(_mm512_maskz_cvtepi32_epi8(0xFFFF, _mm512_maskz_loadu_epi32(m[0], c)));
        bytes = _mm512_inserti32x4(bytes, _mm512_maskz_cvtepi32_epi8(0xFFFF, _mm512_maskz_loadu_epi32(m[1], c + 16)), 1);
        bytes = _mm512_inserti32x4(bytes, _mm512_maskz_cvtepi32_epi8(0xFFFF, _mm512_maskz_loadu_epi32(m[2], c + 32)), 2);
        bytes = _mm512_inserti32x4(bytes, _mm512_maskz_cvtepi32_epi8(0xFFFF, _mm512_maskz_loadu_epi32(m[3], c + 48)), 3);
        for (int j = 0; j < planes; ++j)
            out[size_t(w) * planes + j] = _mm512_test_epi8_mask(bytes, _mm512_set1_epi8(char(1 << j)));
    }
}
#endif

// simd: with AVX-512 BW; else avx2: with AVX2.
void split_planes8(bool simd, bool avx2, const int32_t* codes, int64_t count, int planes, uint64_t* out) {
#ifdef QSIM_X86_SIMD
    if (simd) {
        split_planes8_simd(codes, count, planes, out);
        return;
    }
    if (avx2) {
        split_planes8_avx2(codes, count, planes, out);
        return;
    }
#endif
    split_planes8_scalar(codes, count, planes, out);
}

// The same for any number of planes (codes wider than 8 bits).
void split_planes(bool simd, bool avx2, const int32_t* codes, int64_t count, int planes, uint64_t* out) {
    if (planes <= 8) {
        split_planes8(simd, avx2, codes, count, planes, out);
        return;
    }
    const size_t words = size_t(ceil_div(uint64_t(count), 64));
    std::fill(out, out + words * size_t(planes), 0);
    for (int64_t s = 0; s < count; ++s) {
        const uint32_t code = uint32_t(codes[s]);
        uint64_t* o = out + size_t(s / 64) * planes;
        const int shift = int(s % 64);
        for (int j = 0; j < planes; ++j) o[j] |= uint64_t((code >> j) & 1u) << shift;
    }
}

bool simd_allowed = true;

// acc[j * 8 + k] = popcount, over `words` words, of (plane j of the input & lane k of a block
// of 8 channels' weights, stored side by side).
template <int Planes>
void block_popcounts_scalar(const uint64_t* x, const uint64_t* w, size_t words, int64_t* acc) {
    int64_t a[Planes][8] = {};
    for (size_t i = 0; i < words; ++i, x += Planes, w += 8)
        for (int j = 0; j < Planes; ++j)
            for (int k = 0; k < 8; ++k) a[j][k] += popcount(x[j] & w[k]);
    for (int j = 0; j < Planes; ++j)
        for (int k = 0; k < 8; ++k) acc[j * 8 + k] = a[j][k];
}

int32_t dot16_scalar(const int8_t* w, const int16_t* x, int64_t n) {
    int32_t acc = 0;
    for (int64_t s = 0; s < n; ++s) acc += int32_t(w[s]) * int32_t(x[s]);
    return acc;
}

#ifdef QSIM_X86_SIMD
// a[j] lane k = popcount of plane j of x ANDed with channel k's weight bits, over `words` words
// (8 channels' words side by side in w).
template <int Planes>
__attribute__((target("avx512f,avx512vpopcntdq"))) inline void plane_popcounts(const uint64_t* x, const uint64_t* w,
                                                                               size_t words, __m512i* a) {
    for (int j = 0; j < Planes; ++j) a[j] = _mm512_setzero_si512();
    for (size_t i = 0; i < words; ++i, x += Planes, w += 8) {
        const __m512i lanes = _mm512_loadu_si512(w);
        for (int j = 0; j < Planes; ++j)
            a[j] = _mm512_add_epi64(a[j], _mm512_popcnt_epi64(_mm512_and_si512(_mm512_set1_epi64(int64_t(x[j])), lanes)));
    }
}

// block_popcounts_scalar with the 8 lanes in one register.
template <int Planes>
__attribute__((target("avx512f,avx512vpopcntdq"))) void block_popcounts_simd(const uint64_t* x, const uint64_t* w,
                                                                            size_t words, int64_t* acc) {
    __m512i a[Planes];
    plane_popcounts<Planes>(x, w, words, a);
    for (int j = 0; j < Planes; ++j) _mm512_storeu_si512(acc + j * 8, a[j]);
}

// The same popcounts, then the 8 channels' dot products from them without leaving the registers:
// out[k] = base[k] + sum_j weight[j] * (2 * popcount_jk - count[j]). VPMULDQ multiplies the low
// 32 bits of each lane, exact here: the caller keeps 2 * fan_in and the plane weights in int32.
template <int Planes>
__attribute__((target("avx512f,avx512vpopcntdq"))) void block_dots_simd(const uint64_t* x, const uint64_t* w,
                                                                        size_t words, const int64_t* base,
                                                                        const int64_t* weight, const int64_t* count,
                                                                        int64_t* out) {
    __m512i a[Planes];
    plane_popcounts<Planes>(x, w, words, a);
    __m512i v = _mm512_loadu_si512(base);
    for (int j = 0; j < Planes; ++j) {
        const __m512i t = _mm512_sub_epi64(_mm512_add_epi64(a[j], a[j]), _mm512_set1_epi64(count[j]));
        v = _mm512_add_epi64(v, _mm512_maskz_mul_epi32(0xFF, t, _mm512_set1_epi64(weight[j])));
    }
    _mm512_storeu_si512(out, v);
}

AddSubDatapath::BlockDotsFn block_dots_for(int planes) {
    switch (planes) {
        case 1: return block_dots_simd<1>;
        case 2: return block_dots_simd<2>;
        case 3: return block_dots_simd<3>;
        case 4: return block_dots_simd<4>;
        case 5: return block_dots_simd<5>;
        case 6: return block_dots_simd<6>;
        case 7: return block_dots_simd<7>;
        case 8: return block_dots_simd<8>;
    }
    return nullptr;
}

// The 16 int32 lanes summed in halves; they wrap around like the scalar sum.
__attribute__((target("avx512f"))) inline int32_t sum_lanes(__m512i acc) {
    const __m256i half =
        _mm256_add_epi32(_mm512_maskz_extracti64x4_epi64(0xFF, acc, 0), _mm512_maskz_extracti64x4_epi64(0xFF, acc, 1));
    __m128i q = _mm_add_epi32(_mm256_castsi256_si128(half), _mm256_extracti128_si256(half, 1));
    q = _mm_add_epi32(q, _mm_shuffle_epi32(q, 0x4E));
    q = _mm_add_epi32(q, _mm_shuffle_epi32(q, 0xB1));
    return _mm_cvtsi128_si32(q);
}

// 32 int8 weights from w, sign-extended to int16 (with a mask: only its lanes read, the rest 0).
__attribute__((target("avx512f,avx512bw"))) inline __m512i load_weights16(const int8_t* w) {
    return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
}
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512i load_weights16(const int8_t* w, __mmask32 m) {
    return _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, w));
}

// 32 products a step, summed in pairs into 16 int32 lanes (VPMADDWD); the int32 sum wraps like
// the scalar one, so the same exact result as long as it fits (the loader's bound).

__attribute__((target("avx512f,avx512bw,avx512vl"))) int32_t dot16_simd(const int8_t* w, const int16_t* x, int64_t n) {
    __m512i acc = _mm512_setzero_si512();
    int64_t s = 0;
    for (; s + 32 <= n; s += 32)
        acc = _mm512_add_epi32(acc, _mm512_madd_epi16(load_weights16(w + s), _mm512_loadu_si512(x + s)));
    if (s < n) {
        const __mmask32 m = __mmask32((uint64_t(1) << (n - s)) - 1);
        acc = _mm512_add_epi32(acc, _mm512_madd_epi16(load_weights16(w + s, m), _mm512_maskz_loadu_epi16(m, x + s)));
    }
    return sum_lanes(acc);
}

// dot16_simd of four channels (weights w[0..3]) against the same input, each input step
// loaded once.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void dot16x4_simd(const int8_t* const* w, const int16_t* x,
                                                                      int64_t n, int32_t* out) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    const int8_t *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
    int64_t s = 0;
    for (; s + 32 <= n; s += 32) {
        const __m512i v = _mm512_loadu_si512(x + s);
        a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(load_weights16(w0 + s), v));
        a1 = _mm512_add_epi32(a1, _mm512_madd_epi16(load_weights16(w1 + s), v));
        a2 = _mm512_add_epi32(a2, _mm512_madd_epi16(load_weights16(w2 + s), v));
        a3 = _mm512_add_epi32(a3, _mm512_madd_epi16(load_weights16(w3 + s), v));
    }
    if (s < n) {
        const __mmask32 m = __mmask32((uint64_t(1) << (n - s)) - 1);
        const __m512i v = _mm512_maskz_loadu_epi16(m, x + s);
        a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(load_weights16(w0 + s, m), v));
        a1 = _mm512_add_epi32(a1, _mm512_madd_epi16(load_weights16(w1 + s, m), v));
        a2 = _mm512_add_epi32(a2, _mm512_madd_epi16(load_weights16(w2 + s, m), v));
        a3 = _mm512_add_epi32(a3, _mm512_madd_epi16(load_weights16(w3 + s, m), v));
    }
    out[0] = sum_lanes(a0);
    out[1] = sum_lanes(a1);
    out[2] = sum_lanes(a2);
    out[3] = sum_lanes(a3);
}

// "bw" also asks for VL (the MAC kernels' 256-bit masked loads); every CPU with one has both.
bool cpu_has(const char* what) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") &&
           (what[0] == 'p' ? __builtin_cpu_supports("avx512vpopcntdq")
                           : __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"));
}
bool use_simd_popcount() { return simd_allowed && cpu_has("popcount"); }
bool use_simd_f() {
    __builtin_cpu_init();
    return simd_allowed && __builtin_cpu_supports("avx512f");
}
bool use_simd_bw() { return simd_allowed && cpu_has("bw"); }
bool use_simd_avx2() {
    __builtin_cpu_init();
    return simd_allowed && __builtin_cpu_supports("avx2");
}
#else
template <int Planes>
void block_popcounts_simd(const uint64_t* x, const uint64_t* w, size_t words, int64_t* acc) {
    block_popcounts_scalar<Planes>(x, w, words, acc);
}
int32_t dot16_simd(const int8_t* w, const int16_t* x, int64_t n) { return dot16_scalar(w, x, n); }
void dot16x4_simd(const int8_t* const* w, const int16_t* x, int64_t n, int32_t* out) {
    for (int k = 0; k < 4; ++k) out[k] = dot16_scalar(w[k], x, n);
}
bool use_simd_popcount() { return false; }
bool use_simd_f() { return false; }
AddSubDatapath::BlockDotsFn block_dots_for(int) { return nullptr; }
bool use_simd_bw() { return false; }
bool use_simd_avx2() { return false; }
AddSubDatapath::BlockDotsFn block_dots_avx2_for(int) { return nullptr; }
int32_t dot16_avx2(const int8_t* w, const int16_t* x, int64_t n) { return dot16_scalar(w, x, n); }
void dot16x4_avx2(const int8_t* const* w, const int16_t* x, int64_t n, int32_t* out) { dot16x4_simd(w, x, n, out); }
#endif

template <int Planes>
void block_popcounts(bool simd, const uint64_t* x, const uint64_t* w, size_t words, int64_t* acc) {
    if (simd)
        block_popcounts_simd<Planes>(x, w, words, acc);
    else
        block_popcounts_scalar<Planes>(x, w, words, acc);
}

}  // namespace

void allow_simd_kernels(bool allowed) { simd_allowed = allowed; }
bool avx512_kernels_enabled() { return use_simd_f(); }
bool avx2_kernels_enabled() { return use_simd_avx2(); }

void PeDatapath::dots(int first, int count, int64_t* acc) const {
    for (int i = 0; i < count; ++i) acc[i] = dot(first + i);
}

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
        case Datapath::Rccm:
            throw std::invalid_argument("the RCCM datapath needs its circuit and scale: RccmDatapath (models/rccm/)");
    }
    throw std::invalid_argument("unknown datapath");
}

// ---------------------------------------------------------------------------------------
XnorPopcountDatapath::XnorPopcountDatapath(const WeightMemory& memory)
    : fan_in_(memory.fan_in()),
      words_(ceil_div(uint64_t(memory.fan_in()), 64)),
      tail_mask_(tail_mask_for(memory.fan_in())),
      weights_(size_t(memory.channels()) * words_, 0),
      input_(words_, 0),
      split_simd_(use_simd_bw()),
      split_avx2_(!split_simd_ && use_simd_avx2()) {
    if (memory.bits() != 1) throw std::invalid_argument("XNOR-popcount datapath needs binary weights");
    for (int n = 0; n < memory.channels(); ++n) memory.channel_bits(n, &weights_[size_t(n) * words_]);
}

void XnorPopcountDatapath::load_input(const int32_t* codes) {
    // Plane 0 of the codes: bit 1 = +1.
    split_planes8(split_simd_, split_avx2_, codes, fan_in_, 1, input_.data());
}

int64_t XnorPopcountDatapath::dot(int n) const {
    const uint64_t* w = &weights_[size_t(n) * words_];
    int64_t matches = 0;
    for (size_t i = 0; i + 1 < words_; ++i) matches += popcount(~(w[i] ^ input_[i]));
    matches += popcount(~(w[words_ - 1] ^ input_[words_ - 1]) & tail_mask_);
    return 2 * matches - fan_in_;
}

void XnorPopcountDatapath::dots(int first, int count, int64_t* acc) const {
    for (int i = 0; i < count; ++i) acc[i] = XnorPopcountDatapath::dot(first + i);
}

// ---------------------------------------------------------------------------------------
AddSubDatapath::AddSubDatapath(const WeightMemory& memory, Encoding input, int input_bits)
    : fan_in_(memory.fan_in()), words_(ceil_div(uint64_t(memory.fan_in()), 64)), has_zero_(false) {
    split_simd_ = use_simd_bw();
    split_avx2_ = !split_simd_ && use_simd_avx2();
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
    weight_sum_.assign(size_t(channels), 0);
    input_.assign(size_t(planes_) * words_, 0);
    plane_count_.assign(size_t(planes_), 0);
    if (memory.bits() == 1) {
        // Binary weights: bit 1 is +1, bit 0 is -1 (no zero, so dot() never needs negative_).
        // Up to 8 planes, the bits are kept only in the blocked layout; otherwise in positive_.
        const bool blocked = planes_ <= 8;
        const size_t blocks = size_t(channels + 7) / 8;
        if (blocked) {
            blocked_.assign(blocks * words_ * 8, 0);
            dots_.assign(blocks * 8, 0);
            dots_input_.assign(blocks, ~uint64_t(0));
            simd_ = use_simd_popcount();
            avx2_ = !simd_ && use_simd_avx2();
            const bool int32_terms = fan_in_ < (int64_t(1) << 29);  // 2 * popcount - count, plane weights <= 2^7
            if ((simd_ || avx2_) && int32_terms) {
                fused_ = simd_ ? block_dots_for(planes_) : block_dots_avx2_for(planes_);
                block_base_.assign(blocks * 8, 0);
            }
        } else {
            positive_.assign(size_t(channels) * words_, 0);
        }
        std::vector<uint64_t> bits(blocked ? words_ : 0);
        for (int n = 0; n < channels; ++n) {
            uint64_t* pos = blocked ? bits.data() : &positive_[size_t(n) * words_];
            memory.channel_bits(n, pos);
            int64_t ones = 0;
            for (size_t i = 0; i < words_; ++i) ones += popcount(pos[i]);
            weight_sum_[size_t(n)] = 2 * ones - fan_in_;
            if (fused_) block_base_[size_t(n)] = offset_ * weight_sum_[size_t(n)];
            if (blocked)
                for (size_t i = 0; i < words_; ++i) blocked_[(size_t(n / 8) * words_ + i) * 8 + size_t(n % 8)] = pos[i];
        }
        return;
    }
    positive_.assign(size_t(channels) * words_, 0);
    negative_.assign(size_t(channels) * words_, 0);
    std::vector<int8_t> weights(static_cast<size_t>(fan_in_));
    for (int n = 0; n < channels; ++n) {
        memory.channel_weights(n, weights.data());
        uint64_t* pos = &positive_[size_t(n) * words_];
        uint64_t* neg = &negative_[size_t(n) * words_];
        for (int64_t s = 0; s < fan_in_; ++s) {
            const int w = weights[size_t(s)];
            if (w < -1 || w > 1) throw std::invalid_argument("ADD/SUB datapath needs weights in {-1,0,+1}");
            const uint64_t bit = uint64_t(1) << (s % 64);
            if (w > 0) pos[size_t(s / 64)] |= bit;
            if (w < 0) neg[size_t(s / 64)] |= bit;
            if (w == 0) has_zero_ = true;
            weight_sum_[n] += w;
        }
    }
}

void AddSubDatapath::load_input(const int32_t* codes) {
    ++input_id_;
    split_planes(split_simd_, split_avx2_, codes, fan_in_, planes_, input_.data());
    std::fill(plane_count_.begin(), plane_count_.end(), 0);
    for (size_t i = 0; i < words_; ++i)
        for (int j = 0; j < planes_; ++j) plane_count_[size_t(j)] += popcount(input_[i * planes_ + j]);
}

void AddSubDatapath::block_dots(size_t block) const {
    if (fused_) {
        fused_(input_.data(), &blocked_[block * words_ * 8], words_, &block_base_[block * 8], plane_weight_.data(),
               plane_count_.data(), &dots_[block * 8]);
        dots_input_[block] = input_id_;
        return;
    }
    int64_t acc[64];
    const uint64_t* w = &blocked_[block * words_ * 8];
    const uint64_t* x = input_.data();
    switch (planes_) {
        case 1: block_popcounts<1>(simd_, x, w, words_, acc); break;
        case 2: block_popcounts<2>(simd_, x, w, words_, acc); break;
        case 3: block_popcounts<3>(simd_, x, w, words_, acc); break;
        case 4: block_popcounts<4>(simd_, x, w, words_, acc); break;
        case 5: block_popcounts<5>(simd_, x, w, words_, acc); break;
        case 6: block_popcounts<6>(simd_, x, w, words_, acc); break;
        case 7: block_popcounts<7>(simd_, x, w, words_, acc); break;
        default: block_popcounts<8>(simd_, x, w, words_, acc); break;
    }
    const size_t channels = weight_sum_.size();
    for (size_t k = 0; k < 8 && block * 8 + k < channels; ++k) {
        int64_t v = offset_ * weight_sum_[block * 8 + k];
        for (int j = 0; j < planes_; ++j)
            v += plane_weight_[size_t(j)] * (2 * acc[j * 8 + int(k)] - plane_count_[size_t(j)]);
        dots_[block * 8 + k] = v;
    }
    dots_input_[block] = input_id_;
}

int64_t AddSubDatapath::dot(int n) const {
    if (!blocked_.empty()) {
        const size_t block = size_t(n) / 8;
        if (dots_input_[block] != input_id_) block_dots(block);
        return dots_[size_t(n)];
    }
    const uint64_t* pos = &positive_[size_t(n) * words_];
    const uint64_t* x = input_.data();
    int64_t acc = offset_ * weight_sum_[n];
    if (!has_zero_) {
        // w = -1 wherever w != +1: subtracted = popcount(plane) - added.
        if (planes_ <= 8) {
            int64_t added[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (size_t i = 0; i < words_; ++i, x += planes_)
                for (int j = 0; j < planes_; ++j) added[j] += popcount(x[j] & pos[i]);
            for (int j = 0; j < planes_; ++j) acc += plane_weight_[size_t(j)] * (2 * added[j] - plane_count_[size_t(j)]);
            return acc;
        }
        for (int j = 0; j < planes_; ++j) {
            int64_t added = 0;
            for (size_t i = 0; i < words_; ++i) added += popcount(x[i * planes_ + j] & pos[i]);
            acc += plane_weight_[size_t(j)] * (2 * added - plane_count_[size_t(j)]);
        }
        return acc;
    }
    const uint64_t* neg = &negative_[size_t(n) * words_];
    for (int j = 0; j < planes_; ++j) {
        int64_t added = 0, subtracted = 0;
        for (size_t i = 0; i < words_; ++i) {
            const uint64_t v = x[i * planes_ + j];
            added += popcount(v & pos[i]);
            subtracted += popcount(v & neg[i]);
        }
        acc += plane_weight_[size_t(j)] * (added - subtracted);
    }
    return acc;
}

void AddSubDatapath::dots(int first, int count, int64_t* acc) const {
    if (blocked_.empty()) {
        for (int i = 0; i < count; ++i) acc[i] = AddSubDatapath::dot(first + i);
        return;
    }
    const size_t end = size_t(first) + size_t(count);
    for (size_t n = size_t(first); n < end;) {
        const size_t block = n / 8;
        if (dots_input_[block] != input_id_) block_dots(block);
        const size_t stop = std::min(end, block * 8 + 8);
        for (; n < stop; ++n) acc[n - size_t(first)] = dots_[n];
    }
}

// ---------------------------------------------------------------------------------------
MacDatapath::MacDatapath(const WeightMemory& memory, Encoding input)
    : fan_in_(memory.fan_in()),
      encoding_(input),
      rows_(size_t(memory.channels())),
      input_(size_t(memory.fan_in())),
      input16_(size_t(memory.fan_in())) {
    if (input == Encoding::Accumulator)
        throw std::invalid_argument("MAC datapath cannot take raw accumulators");
    simd_ = use_simd_bw();
    avx2_ = !simd_ && use_simd_avx2();
    if (memory.channel_bytes(0) != nullptr) {
        // 8-bit memories hold each channel's weights as bytes: read in place.
        for (int n = 0; n < memory.channels(); ++n) rows_[size_t(n)] = memory.channel_bytes(n);
        return;
    }
    owned_.resize(size_t(memory.channels()) * size_t(fan_in_));
    for (int n = 0; n < memory.channels(); ++n) {
        memory.channel_weights(n, &owned_[size_t(n) * fan_in_]);
        rows_[size_t(n)] = &owned_[size_t(n) * fan_in_];
    }
}

void MacDatapath::load_input(const int32_t* codes) {
    int32_t lo = 0, hi = 0;
    for (int64_t s = 0; s < fan_in_; ++s) {
        const int32_t v = decode_value(codes[s], encoding_);
        input_[s] = v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    narrow_ = lo >= std::numeric_limits<int16_t>::min() && hi <= std::numeric_limits<int16_t>::max();
    if (narrow_)
        for (int64_t s = 0; s < fan_in_; ++s) input16_[s] = int16_t(input_[s]);
    else if (weights_.empty())  // the first wide input
        for (const int8_t* row : rows_) weights_.insert(weights_.end(), row, row + fan_in_);
}

int64_t MacDatapath::dot(int n) const {
    // The loader bounds |acc| < 2^31, so a 32-bit accumulator is exact (as in hardware), and so
    // is every partial sum, whatever the order.
    int32_t acc = 0;
    if (narrow_) {
        const int8_t* w = rows_[size_t(n)];
        if (simd_) return dot16_simd(w, input16_.data(), fan_in_);
        return avx2_ ? dot16_avx2(w, input16_.data(), fan_in_) : dot16_scalar(w, input16_.data(), fan_in_);
    }
    const int32_t* w = &weights_[size_t(n) * fan_in_];
    const int32_t* x = input_.data();
    for (int64_t s = 0; s < fan_in_; ++s) acc += w[s] * x[s];
    return acc;
}

void MacDatapath::dots(int first, int count, int64_t* acc) const {
    int i = 0;
    if (narrow_ && (simd_ || avx2_))
        for (; i + 4 <= count; i += 4) {
            int32_t four[4];
            if (simd_)
                dot16x4_simd(&rows_[size_t(first + i)], input16_.data(), fan_in_, four);
            else
                dot16x4_avx2(&rows_[size_t(first + i)], input16_.data(), fan_in_, four);
            for (int k = 0; k < 4; ++k) acc[i + k] = four[k];
        }
    for (; i < count; ++i) acc[i] = MacDatapath::dot(first + i);
}

}  // namespace qsim
