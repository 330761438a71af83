#include "models/network/weight_codes.hpp"

#include <algorithm>
#include <cstring>

namespace qsim {

namespace {

// The value of one code and whether the format allows it (the meaning in weight_codes.hpp).
struct Decoded {
    int8_t value;
    bool valid;
};

Decoded decode_code(uint32_t c, int quant, int bits) {
    switch (quant) {
        case 0: return {int8_t(c ? 1 : -1), true};
        case 1: return {int8_t(c == 1 ? 1 : c == 3 ? -1 : 0), c != 2};
        case 2: {
            const int v = (c & (1u << (bits - 1))) ? int(c) - (1 << bits) : int(c);
            return {int8_t(v), v != -(1 << (bits - 1))};
        }
        default: return {int8_t(uint8_t(c)), true};
    }
}

// One code's value and validity, looked up by the code (bits <= 8).
struct CodeTable {
    int8_t value[256];
    uint8_t invalid[256];  // 1: the code is invalid
};

// For widths that divide a byte (1, 2, 4): the 8 / bits codes of each byte value.
struct ByteTable {
    int8_t values[256][8];  // code j of the byte in values[byte][j]
    uint8_t invalid[256];   // bit j set: code j of the byte is invalid
};

struct Tables {
    CodeTable code[4][9];
    ByteTable byte[4][5];  // bits 1, 2, 4 only
};

void build_tables(Tables& tb) {
    for (int quant = 0; quant < 4; ++quant)
        for (int bits = 1; bits <= 8; ++bits) {
            CodeTable& ct = tb.code[quant][bits];
            for (uint32_t c = 0; c < (1u << bits); ++c) {
                const Decoded d = decode_code(c, quant, bits);
                ct.value[c] = d.value;
                ct.invalid[c] = d.valid ? 0 : 1;
            }
            if (bits != 1 && bits != 2 && bits != 4) continue;
            ByteTable& bt = tb.byte[quant][bits];
            const uint32_t mask = (1u << bits) - 1;
            for (uint32_t b = 0; b < 256; ++b) {
                bt.invalid[b] = 0;
                for (int j = 0; j < 8 / bits; ++j) {
                    const uint32_t c = (b >> (j * bits)) & mask;
                    bt.values[b][j] = ct.value[c];
                    if (ct.invalid[c]) bt.invalid[b] |= uint8_t(1u << j);
                }
            }
        }
}

// Built in place on first use (64 KB: too large for the stack of a SystemC thread).
const Tables& tables() {
    static Tables t;
    static const bool built = (build_tables(t), true);
    (void)built;
    return t;
}

// Codes [from, count) one at a time; updates `first` (the first invalid index so far).
void unpack_tail(const uint8_t* packed, uint64_t from, uint64_t count, int quant, int bits, int8_t* out,
                 uint64_t& first) {
    for (uint64_t k = from; k < count; ++k) {
        const Decoded d = decode_code(weight_code_at(packed, k, bits), quant, bits);
        out[k] = d.value;
        if (!d.valid && first == count) first = k;
    }
}

// Widths 1, 2 and 4: one table lookup per byte. The invalid flags are gathered over blocks of
// bytes; only a block with an invalid code is looked at again to find the first one.
template <int B>
uint64_t unpack_bytes(const uint8_t* packed, uint64_t count, int quant, int8_t* out) {
    constexpr uint64_t kPer = 8 / B;
    constexpr uint64_t kBlock = 64;
    const ByteTable& t = tables().byte[quant][B];
    const uint64_t nbytes = count / kPer;
    uint64_t first = count;
    for (uint64_t i0 = 0; i0 < nbytes; i0 += kBlock) {
        const uint64_t i1 = i0 + kBlock < nbytes ? i0 + kBlock : nbytes;
        uint32_t bad = 0;
        for (uint64_t i = i0; i < i1; ++i) {
            std::memcpy(out + i * kPer, t.values[packed[i]], kPer);
            bad |= t.invalid[packed[i]];
        }
        if (bad && first == count)
            for (uint64_t i = i0; i < i1; ++i)
                if (const uint32_t m = t.invalid[packed[i]]) {
                    first = i * kPer + uint64_t(__builtin_ctz(m));
                    break;
                }
    }
    unpack_tail(packed, nbytes * kPer, count, quant, B, out, first);
    return first;
}

// Other widths (3, 5, 6, 7): eight codes at a time from B whole bytes, each code looked up.
template <int B>
uint64_t unpack_groups(const uint8_t* packed, uint64_t count, int quant, int8_t* out) {
    constexpr uint64_t kMask = (uint64_t(1) << B) - 1;
    const CodeTable& t = tables().code[quant][B];
    const uint64_t groups = count / 8;
    uint64_t first = count;
    for (uint64_t g = 0; g < groups; ++g) {
        const uint8_t* p = packed + g * B;
        uint64_t w = 0;
        for (int i = 0; i < B; ++i) w |= uint64_t(p[i]) << (8 * i);
        int8_t* o = out + g * 8;
        uint32_t bad = 0;
        for (int j = 0; j < 8; ++j) {
            const uint32_t c = uint32_t((w >> (j * B)) & kMask);
            o[j] = t.value[c];
            bad |= uint32_t(t.invalid[c]) << j;
        }
        if (bad && first == count) first = g * 8 + uint64_t(__builtin_ctz(bad));
    }
    unpack_tail(packed, groups * 8, count, quant, B, out, first);
    return first;
}

// Width 8: the codes are the bytes; uniform codes exclude 0x80 (-128).
uint64_t unpack_bytes8(const uint8_t* packed, uint64_t count, int quant, int8_t* out) {
    if (count) std::memcpy(out, packed, count);
    if (quant != 2) return count;
    constexpr uint64_t kBlock = 256;
    for (uint64_t i0 = 0; i0 < count; i0 += kBlock) {
        const uint64_t i1 = i0 + kBlock < count ? i0 + kBlock : count;
        bool bad = false;
        for (uint64_t i = i0; i < i1; ++i) bad |= packed[i] == 0x80;
        if (bad)
            for (uint64_t i = i0; i < i1; ++i)
                if (packed[i] == 0x80) return i;
    }
    return count;
}

}  // namespace

uint64_t first_invalid_weight_code(const uint8_t* packed, uint64_t count, int quant, int bits) {
    // No codes, or a format where every code is a weight (binary, RCCM select indices).
    if (count == 0 || quant == 0 || quant == 3) return count;
    if (quant == 2 && bits == 8) {
        // One byte a code: the only invalid one is -128.
        const void* bad = std::memchr(packed, 0x80, size_t(count));
        return bad ? uint64_t(static_cast<const uint8_t*>(bad) - packed) : count;
    }
    // Blocks of codes through a buffer that stays in the cache; a block is a multiple of 8
    // codes, so each one starts on a byte.
    constexpr uint64_t kBlock = uint64_t(1) << 13;
    int8_t scratch[kBlock];
    for (uint64_t k = 0; k < count; k += kBlock) {
        const uint64_t n = std::min(kBlock, count - k);
        const uint64_t bad = unpack_weight_codes(packed + k / 8 * uint64_t(bits), n, quant, bits, scratch);
        if (bad < n) return k + bad;
    }
    return count;
}

uint32_t weight_code_at(const uint8_t* packed, uint64_t k, int bits) {
    const uint64_t bit = k * uint64_t(bits);
    const unsigned sh = unsigned(bit % 8);
    uint32_t c = uint32_t(packed[bit / 8]) >> sh;
    if (sh + unsigned(bits) > 8) c |= uint32_t(packed[bit / 8 + 1]) << (8 - sh);
    return c & ((1u << bits) - 1);
}

uint64_t unpack_weight_codes_simple(const uint8_t* packed, uint64_t count, int quant, int bits, int8_t* out) {
    uint64_t first = count;
    unpack_tail(packed, 0, count, quant, bits, out, first);
    return first;
}

uint64_t unpack_weight_codes(const uint8_t* packed, uint64_t count, int quant, int bits, int8_t* out) {
    switch (bits) {
        case 1: return unpack_bytes<1>(packed, count, quant, out);
        case 2: return unpack_bytes<2>(packed, count, quant, out);
        case 3: return unpack_groups<3>(packed, count, quant, out);
        case 4: return unpack_bytes<4>(packed, count, quant, out);
        case 5: return unpack_groups<5>(packed, count, quant, out);
        case 6: return unpack_groups<6>(packed, count, quant, out);
        case 7: return unpack_groups<7>(packed, count, quant, out);
        case 8: return unpack_bytes8(packed, count, quant, out);
    }
    return unpack_weight_codes_simple(packed, count, quant, bits, out);
}

}  // namespace qsim
