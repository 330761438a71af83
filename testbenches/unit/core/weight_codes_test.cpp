// Tests of the packed weight-code unpacking (weight_codes.hpp): the fast version against the
// one-code-at-a-time reference, for every quantisation and width the weight file allows.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/common/rng.hpp"
#include "models/network/weight_codes.hpp"

namespace qsim {
namespace weight_codes_test {

struct Format {
    int quant;
    int bits;
};

// Every (quant, bits) combination of a weight record (docs/weights-format.md).
std::vector<Format> all_formats() {
    std::vector<Format> v = {{0, 1}, {1, 2}};
    for (int b = 2; b <= 8; ++b) v.push_back({2, b});
    for (int b : {4, 6, 8}) v.push_back({3, b});
    return v;
}

std::string name(const Format& f) {
    return "quant " + std::to_string(f.quant) + ", " + std::to_string(f.bits) + " bits";
}

bool is_invalid(const Format& f, uint32_t c) {
    if (f.quant == 1) return c == 2;
    if (f.quant == 2) return c == (1u << (f.bits - 1));
    return false;
}

// The code the format reserves as invalid (only ternary and uniform have one).
uint32_t invalid_code(const Format& f) { return f.quant == 1 ? 2u : 1u << (f.bits - 1); }

// Packs codes little endian, code k at bits k*bits.., into exactly the bytes they need.
std::vector<uint8_t> pack(const std::vector<uint32_t>& codes, int bits) {
    std::vector<uint8_t> b((codes.size() * size_t(bits) + 7) / 8, 0);
    for (size_t k = 0; k < codes.size(); ++k)
        for (int i = 0; i < bits; ++i)
            if ((codes[k] >> i) & 1) {
                const size_t bit = k * size_t(bits) + size_t(i);
                b[bit / 8] |= uint8_t(1u << (bit % 8));
            }
    return b;
}

// Random valid codes.
std::vector<uint32_t> valid_codes(const Format& f, size_t count, Rng& rng) {
    std::vector<uint32_t> c(count);
    for (auto& x : c) {
        do x = rng.below(1u << f.bits);
        while (is_invalid(f, x));
    }
    return c;
}

// Unpacks with both versions and compares the first invalid index and every valid code's value.
void expect_same_unpacking(const Format& f, const std::vector<uint32_t>& codes, const std::string& what) {
    const std::vector<uint8_t> packed = pack(codes, f.bits);
    const uint64_t n = codes.size();
    std::vector<int8_t> fast(n + 1, 0x55), simple(n + 1, 0x55);
    const uint64_t first_fast = unpack_weight_codes(packed.data(), n, f.quant, f.bits, fast.data());
    const uint64_t first_simple = unpack_weight_codes_simple(packed.data(), n, f.quant, f.bits, simple.data());
    uint64_t first = n;
    for (uint64_t k = 0; k < n && first == n; ++k)
        if (is_invalid(f, codes[k])) first = k;
    ASSERT_EQ(first_simple, first) << name(f) << ", " << what;
    ASSERT_EQ(first_fast, first) << name(f) << ", " << what;
    ASSERT_EQ(first_invalid_weight_code(packed.data(), n, f.quant, f.bits), first) << name(f) << ", " << what;
    for (uint64_t k = 0; k < n; ++k) {
        ASSERT_EQ(weight_code_at(packed.data(), k, f.bits), codes[k]) << name(f) << ", " << what << ", code " << k;
        if (is_invalid(f, codes[k])) continue;
        ASSERT_EQ(int(fast[k]), int(simple[k])) << name(f) << ", " << what << ", weight " << k;
    }
    EXPECT_EQ(fast[n], int8_t(0x55)) << name(f) << ", " << what << ": wrote past the end";
}

const size_t kCounts[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 511, 513, 1001, 4099};

TEST(WeightCodes, ReferenceDecodesEveryCode) {
    // Each code of each format, one at a time, against its meaning in weight_codes.hpp.
    for (const Format& f : all_formats())
        for (uint32_t c = 0; c < (1u << f.bits); ++c) {
            const std::vector<uint8_t> packed = pack({c}, f.bits);
            int8_t v = 0;
            const uint64_t first = unpack_weight_codes_simple(packed.data(), 1, f.quant, f.bits, &v);
            EXPECT_EQ(first, is_invalid(f, c) ? 0u : 1u) << name(f) << ", code " << c;
            if (is_invalid(f, c)) continue;
            int want = 0;
            switch (f.quant) {
                case 0: want = c ? 1 : -1; break;
                case 1: want = c == 1 ? 1 : c == 3 ? -1 : 0; break;
                case 2: want = c >= (1u << (f.bits - 1)) ? int(c) - (1 << f.bits) : int(c); break;
                default: want = int(c); break;
            }
            if (f.quant == 3) EXPECT_EQ(int(uint8_t(v)), want) << name(f) << ", code " << c;
            else EXPECT_EQ(int(v), want) << name(f) << ", code " << c;
        }
}

TEST(WeightCodes, KnownBytes) {
    // Ternary: byte 0b11'00'01'11 holds codes 3, 1, 0, 3 (first code in the low bits).
    const uint8_t t[] = {0xC7};
    int8_t w[4];
    EXPECT_EQ(unpack_weight_codes(t, 4, 1, 2, w), 4u);
    EXPECT_EQ(std::vector<int>(w, w + 4), (std::vector<int>{-1, 1, 0, -1}));
    // Uniform 3-bit: codes 1, 7 (-1), 3, 5 (-3) in 12 bits.
    const uint8_t u[] = {0xF9, 0x0A};
    EXPECT_EQ(unpack_weight_codes(u, 4, 2, 3, w), 4u);
    EXPECT_EQ(std::vector<int>(w, w + 4), (std::vector<int>{1, -1, 3, -3}));
    // Binary: 0xA5 = 1,0,1,0,0,1,0,1.
    const uint8_t b[] = {0xA5};
    int8_t w8[8];
    EXPECT_EQ(unpack_weight_codes(b, 8, 0, 1, w8), 8u);
    EXPECT_EQ(std::vector<int>(w8, w8 + 8), (std::vector<int>{1, -1, 1, -1, -1, 1, -1, 1}));
    // RCCM 6-bit select indices 63, 0, 42 (unsigned, in the same byte).
    const uint8_t s[] = {0x3F, 0xA0, 0x02};
    EXPECT_EQ(unpack_weight_codes(s, 3, 3, 6, w), 3u);
    EXPECT_EQ(int(uint8_t(w[0])), 63);
    EXPECT_EQ(int(uint8_t(w[1])), 0);
    EXPECT_EQ(int(uint8_t(w[2])), 42);
}

TEST(WeightCodes, FastEqualsSimpleOnRandomValidCodes) {
    Rng rng(20240611);
    for (const Format& f : all_formats())
        for (size_t n : kCounts) expect_same_unpacking(f, valid_codes(f, n, rng), std::to_string(n) + " codes");
}

TEST(WeightCodes, FastEqualsSimpleOnRandomBytes) {
    // Uniformly random codes: invalid ones (if the format has any) appear at random places.
    Rng rng(7);
    for (const Format& f : all_formats())
        for (size_t n : kCounts)
            for (int rep = 0; rep < 4; ++rep) {
                std::vector<uint32_t> c(n);
                for (auto& x : c) x = rng.below(1u << f.bits);
                expect_same_unpacking(f, c, std::to_string(n) + " random codes, draw " + std::to_string(rep));
            }
}

TEST(WeightCodes, FirstInvalidCodeAtEveryKindOfPosition) {
    // One or two invalid codes at the start, the end, a group or byte boundary, the middle of
    // a block and the tail after the last whole group; the first must be reported.
    Rng rng(99);
    for (const Format& f : all_formats()) {
        if (f.quant != 1 && f.quant != 2) continue;
        for (size_t n : {size_t(1), size_t(9), size_t(70), size_t(1001), size_t(5003)}) {
            std::vector<size_t> where = {0, n - 1, n / 2, n / 3};
            for (size_t p : {size_t(7), size_t(8), size_t(63), size_t(64), size_t(255), size_t(256), size_t(257),
                             size_t(511), size_t(512), size_t(4096)})
                if (p < n) where.push_back(p);
            if (n >= 8) where.push_back(n - 1 - n % 8);  // last code of the last whole group
            for (size_t p : where) {
                std::vector<uint32_t> c = valid_codes(f, n, rng);
                c[p] = invalid_code(f);
                expect_same_unpacking(f, c, std::to_string(n) + " codes, invalid at " + std::to_string(p));
                if (p + 1 < n) {
                    c[n - 1] = invalid_code(f);  // a later one must not hide the first
                    expect_same_unpacking(f, c, std::to_string(n) + " codes, invalid at " + std::to_string(p) +
                                                    " and the last");
                }
            }
        }
    }
}

TEST(WeightCodes, FirstInvalidCodeFoundInAnyBlock) {
    // first_invalid_weight_code checks the codes a block of 8,192 at a time: invalid codes
    // either side of block boundaries, and in a last block that is not whole.
    Rng rng(12);
    for (const Format& f : all_formats()) {
        if (f.quant != 1 && f.quant != 2) continue;
        const size_t n = 3 * 8192 + 77;
        for (size_t p : {size_t(8191), size_t(8192), size_t(16383), size_t(16384), size_t(3 * 8192), n - 1}) {
            std::vector<uint32_t> c = valid_codes(f, n, rng);
            c[p] = invalid_code(f);
            EXPECT_EQ(first_invalid_weight_code(pack(c, f.bits).data(), n, f.quant, f.bits), p) << name(f);
        }
        EXPECT_EQ(first_invalid_weight_code(pack(valid_codes(f, n, rng), f.bits).data(), n, f.quant, f.bits), n)
            << name(f);
    }
}

TEST(WeightCodes, UnalignedInput) {
    // The packed codes may start at any byte of a record.
    Rng rng(3);
    for (const Format& f : all_formats()) {
        const std::vector<uint32_t> codes = valid_codes(f, 777, rng);
        const std::vector<uint8_t> packed = pack(codes, f.bits);
        for (size_t shift = 1; shift < 8; ++shift) {
            std::vector<uint8_t> buf(shift, 0xFF);
            buf.insert(buf.end(), packed.begin(), packed.end());
            std::vector<int8_t> a(codes.size()), b(codes.size());
            EXPECT_EQ(unpack_weight_codes(buf.data() + shift, codes.size(), f.quant, f.bits, a.data()), codes.size());
            unpack_weight_codes_simple(packed.data(), codes.size(), f.quant, f.bits, b.data());
            EXPECT_EQ(a, b) << name(f) << ", offset " << shift;
        }
    }
}

}  // namespace weight_codes_test
}  // namespace qsim
