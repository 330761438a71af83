// Core tests of the MVTU's functional kernels: PE weight memories, the three PE datapaths,
// the threshold unit, and whole-layer compute against the golden reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/common/rng.hpp"
#include "models/mvtu/mvtu_kernel.hpp"
#include "models/mvtu/pe_datapath_kernel.hpp"
#include "models/mvtu/threshold_kernel.hpp"
#include "models/mvtu/weight_memory.hpp"
#include "models/swu/window_kernel.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace mvtu_kernel_test {

// An fc layer with fan_in inputs and n outputs; enough for memory and datapath tests.
LayerConfig fc_layer(int fan_in, int n, WeightQuant q, int wbits, Encoding in, int in_bits, int pe, int simd) {
    LayerConfig l = testing_support::fc_layer("fc", {1, 1, fan_in}, n);
    testing_support::set_operands(l, in, in_bits, {q, wbits}, {ActivationType::None, 32});
    l.folding = {pe, simd, 1};
    return l;
}

std::vector<int8_t> random_weights(Rng& rng, size_t count, WeightQuant q, int bits) {
    std::vector<int8_t> w(count);
    for (auto& v : w) {
        switch (q) {
            case WeightQuant::Binary: v = rng.below(2) ? 1 : -1; break;
            case WeightQuant::Ternary: v = int8_t(int(rng.below(3)) - 1); break;
            case WeightQuant::Rccm: break;  // select indices: rccm_datapath_test.cpp
            case WeightQuant::Uniform: {
                const int m = (1 << (bits - 1)) - 1;
                v = int8_t(int(rng.below(uint32_t(2 * m + 1))) - m);
                break;
            }
        }
    }
    return w;
}

std::vector<int32_t> random_codes(Rng& rng, size_t count, Encoding e, int bits) {
    std::vector<int32_t> x(count);
    for (auto& v : x) {
        if (e == Encoding::Bipolar) v = int32_t(rng.below(2));
        else if (e == Encoding::Signed) v = int32_t(rng.below(1u << bits)) - (1 << (bits - 1));
        else v = int32_t(rng.below(1u << bits));
    }
    return x;
}

int64_t naive_dot(const std::vector<int8_t>& w, size_t n, size_t fan_in, const std::vector<int32_t>& x, Encoding e) {
    int64_t acc = 0;
    for (size_t s = 0; s < fan_in; ++s) acc += int64_t(w[n * fan_in + s]) * decode_value(x[s], e);
    return acc;
}

// The shape of a weight memory under test: quantisation, width, fan-in, channels, PE, SIMD.
struct MemoryCase {
    WeightQuant q;
    int bits, fan_in, n, pe, simd;
};

// The case's fc layer and random weights for it.
std::pair<LayerConfig, LayerParams> memory_case(Rng& rng, const MemoryCase& c) {
    LayerConfig l = fc_layer(c.fan_in, c.n, c.q, c.bits, Encoding::Unsigned, 4, c.pe, c.simd);
    LayerParams p;
    p.weights = random_weights(rng, size_t(c.fan_in) * c.n, c.q, c.bits);
    return {l, p};
}

TEST(WeightMemory, RoundTripsEveryWeightForAnyWidthAndFolding) {
    Rng rng(5);
    // bits 3, 5, 7 make fields straddle 64-bit chunks when SIMD * bits > 64.
    const MemoryCase cases[] = {{WeightQuant::Binary, 1, 130, 12, 4, 65}, {WeightQuant::Ternary, 2, 96, 6, 3, 48},
                                {WeightQuant::Uniform, 3, 90, 10, 5, 30}, {WeightQuant::Uniform, 5, 70, 4, 2, 14},
                                {WeightQuant::Uniform, 7, 63, 9, 9, 21},  {WeightQuant::Uniform, 8, 64, 8, 1, 16},
                                {WeightQuant::Uniform, 4, 80, 6, 3, 20},  {WeightQuant::Uniform, 8, 72, 4, 2, 12}};
    for (const MemoryCase& c : cases) {
        const auto [l, p] = memory_case(rng, c);
        WeightMemory mem(l, p);
        EXPECT_EQ(mem.depth(), uint64_t(c.n / c.pe) * (c.fan_in / c.simd));
        EXPECT_EQ(mem.total_bits(), uint64_t(c.fan_in) * c.n * c.bits);
        for (int n = 0; n < c.n; ++n)
            for (int s = 0; s < c.fan_in; ++s)
                ASSERT_EQ(mem.weight(n, s), p.weights[size_t(n) * c.fan_in + s])
                    << "bits " << c.bits << " n " << n << " s " << s;
    }
}

TEST(WeightMemory, WholeChannelReadsMatchSingleWeights) {
    // channel_weights / channel_bits walk a channel's words at once (the datapaths are built
    // from them); SIMD 65 and 130 split lanes across 64-bit chunks, SIMD 3 and 12 across bytes;
    // 2, 4 and 8-bit words whose last chunk is only partly used; SIMD 64 and 128 whole chunks.
    Rng rng(9);
    const MemoryCase cases[] = {{WeightQuant::Binary, 1, 130, 12, 4, 65}, {WeightQuant::Binary, 1, 390, 6, 2, 130},
                                {WeightQuant::Binary, 1, 99, 4, 4, 3},    {WeightQuant::Binary, 1, 72, 8, 2, 12},
                                {WeightQuant::Ternary, 2, 96, 6, 3, 48},  {WeightQuant::Uniform, 5, 70, 4, 2, 14},
                                {WeightQuant::Ternary, 2, 100, 4, 2, 50}, {WeightQuant::Uniform, 4, 60, 6, 3, 20},
                                {WeightQuant::Uniform, 8, 72, 4, 2, 12},  {WeightQuant::Binary, 1, 256, 8, 4, 64},
                                {WeightQuant::Binary, 1, 256, 4, 2, 128}};
    for (const MemoryCase& c : cases) {
        const auto [l, p] = memory_case(rng, c);
        WeightMemory mem(l, p);
        std::vector<int8_t> w(size_t(c.fan_in));
        std::vector<uint64_t> bits(size_t(c.fan_in + 63) / 64);
        for (int n = 0; n < c.n; ++n) {
            mem.channel_weights(n, w.data());
            if (c.bits == 1) mem.channel_bits(n, bits.data());
            for (int s = 0; s < c.fan_in; ++s) {
                ASSERT_EQ(w[size_t(s)], mem.weight(n, s)) << "simd " << c.simd << " n " << n << " s " << s;
                if (c.bits == 1) {
                    ASSERT_EQ((bits[size_t(s) / 64] >> (s % 64)) & 1u, mem.weight(n, s) > 0 ? 1u : 0u)
                        << "simd " << c.simd << " n " << n << " s " << s;
                }
            }
            if (c.bits == 1 && c.fan_in % 64) {
                EXPECT_EQ(bits.back() >> (c.fan_in % 64), 0u);
            }
        }
    }
}

TEST(WeightMemory, FilledFromRecordCodesEqualsFilledFromWeights) {
    // DMA channel 1 fills the memories straight from a record's packed codes (weight k's b-bit
    // code at bits k*b.., binary 1 = +1, ternary 01/11/00, uniform two's complement). Fan-ins
    // whose codes do not fill whole bytes start channels mid-byte; SIMD * bits above 64 and
    // not a multiple of it spreads words over partly used chunks; words of whole chunks are
    // copied a channel at a time.
    Rng rng(21);
    const MemoryCase cases[] = {{WeightQuant::Binary, 1, 130, 12, 4, 65}, {WeightQuant::Binary, 1, 390, 6, 2, 130},
                                {WeightQuant::Binary, 1, 99, 4, 4, 3},    {WeightQuant::Binary, 1, 9, 5, 5, 9},
                                {WeightQuant::Binary, 1, 1000, 3, 1, 8},  {WeightQuant::Ternary, 2, 96, 6, 3, 48},
                                {WeightQuant::Ternary, 2, 99, 4, 2, 33},  {WeightQuant::Uniform, 3, 90, 10, 5, 30},
                                {WeightQuant::Uniform, 5, 70, 4, 2, 14},  {WeightQuant::Uniform, 7, 63, 9, 9, 21},
                                {WeightQuant::Uniform, 8, 64, 8, 1, 16},  {WeightQuant::Uniform, 8, 72, 4, 2, 12},
                                {WeightQuant::Uniform, 8, 256, 8, 4, 64}, {WeightQuant::Binary, 1, 192, 8, 4, 64},
                                {WeightQuant::Ternary, 2, 128, 4, 2, 32}, {WeightQuant::Uniform, 4, 48, 6, 3, 16}};
    for (const MemoryCase& c : cases) {
        const auto [l, p] = memory_case(rng, c);
        std::vector<uint8_t> packed((p.weights.size() * size_t(c.bits) + 7) / 8, 0);
        for (size_t k = 0; k < p.weights.size(); ++k) {
            const int w = p.weights[k];
            const uint32_t code = c.q == WeightQuant::Binary ? uint32_t(w > 0) : uint32_t(w) & ((1u << c.bits) - 1);
            for (int b = 0; b < c.bits; ++b)
                if ((code >> b) & 1u) packed[(k * size_t(c.bits) + size_t(b)) / 8] |= uint8_t(1u << ((k * c.bits + b) % 8));
        }
        const WeightMemory from_weights(l, p), from_codes(l, packed.data());
        ASSERT_EQ(from_codes.depth(), from_weights.depth());
        for (int pe = 0; pe < c.pe; ++pe)
            for (uint64_t a = 0; a < from_weights.depth(); ++a)
                for (int k = 0; k < from_weights.chunks_per_word(); ++k)
                    ASSERT_EQ(from_codes.word(pe, a)[k], from_weights.word(pe, a)[k])
                        << c.bits << "-bit, fan_in " << c.fan_in << " pe " << pe << " address " << a << " chunk " << k;
        std::vector<int8_t> channel(size_t(c.fan_in));
        from_codes.channel_weights(c.n - 1, channel.data());
        EXPECT_TRUE(std::equal(channel.begin(), channel.end(), p.weights.end() - c.fan_in)) << c.bits << "-bit";
        // 8-bit lanes filling whole chunks: each channel's weights are bytes of the memory.
        const bool bytes = c.q == WeightQuant::Uniform && c.bits == 8 && c.simd % 8 == 0;
        ASSERT_EQ(from_codes.channel_bytes(0) != nullptr, bytes) << c.bits << "-bit, SIMD " << c.simd;
        for (int n = 0; bytes && n < c.n; ++n)
            ASSERT_TRUE(std::equal(from_codes.channel_bytes(n), from_codes.channel_bytes(n) + c.fan_in,
                                   p.weights.begin() + ptrdiff_t(n) * c.fan_in))
                << "channel " << n;
    }
    // A ternary layer declared with other than 2-bit fields cannot take the record's codes.
    LayerConfig ternary = fc_layer(8, 2, WeightQuant::Ternary, 3, Encoding::Unsigned, 4, 1, 8);
    const uint8_t bits[8] = {};
    EXPECT_THROW(WeightMemory(ternary, bits), std::invalid_argument);
}

TEST(WeightMemory, PlacesWeightsAtTheFinnPeAddressAndLane) {
    // 8 channels, fan_in 8, PE 2, SIMD 4: channel 5 lives in PE 1 at neuron fold 2; its synapse 6
    // is in synapse fold 1, lane 2. Address = nf * SF + sf = 2 * 2 + 1 = 5.
    LayerConfig l = fc_layer(8, 8, WeightQuant::Uniform, 4, Encoding::Unsigned, 4, 2, 4);
    LayerParams p;
    p.weights.assign(64, 0);
    p.weights[5 * 8 + 6] = -3;  // 4-bit two's complement 1101
    WeightMemory mem(l, p);
    EXPECT_EQ(mem.word(1, 5)[0], uint64_t(0xD) << 8);
    for (int pe = 0; pe < 2; ++pe)
        for (uint64_t a = 0; a < mem.depth(); ++a)
            if (!(pe == 1 && a == 5)) {
                EXPECT_EQ(mem.word(pe, a)[0], 0u) << pe << "/" << a;
            }
}

struct DatapathCase {
    WeightQuant q;
    int wbits;
    Encoding in;
    int in_bits;
};

void PrintTo(const DatapathCase& c, std::ostream* os) {
    *os << to_string(c.q) << c.wbits << "/" << to_string(c.in) << c.in_bits;
}

class DatapathTest : public ::testing::TestWithParam<DatapathCase> {};

TEST_P(DatapathTest, MatchesNaiveDotProduct) {
    const DatapathCase c = GetParam();
    Rng rng(17 + int(c.q) * 7 + int(c.in) * 3 + c.in_bits);
    for (int fan_in : {1, 63, 64, 65, 200, 777}) {
        const int n = 6;
        LayerConfig l = fc_layer(fan_in, n, c.q, c.wbits, c.in, c.in_bits, 2, 1);
        LayerParams p;
        p.weights = random_weights(rng, size_t(fan_in) * n, c.q, c.wbits);
        WeightMemory mem(l, p);
        auto dp = make_pe_datapath(l.datapath, c.in, c.in_bits, mem);
        for (int trial = 0; trial < 5; ++trial) {
            std::vector<int32_t> x = random_codes(rng, size_t(fan_in), c.in, c.in_bits);
            if (trial == 0) std::fill(x.begin(), x.end(), c.in == Encoding::Signed ? -(1 << (c.in_bits - 1)) : (c.in == Encoding::Bipolar ? 1 : (1 << c.in_bits) - 1));
            dp->load_input(x.data());
            for (int k = 0; k < n; ++k)
                ASSERT_EQ(dp->dot(k), naive_dot(p.weights, size_t(k), size_t(fan_in), x, c.in))
                    << to_string(l.datapath) << " fan_in " << fan_in << " channel " << k;
        }
    }
}

TEST_P(DatapathTest, VectorAndPortableKernelsAgree) {
    // 21 channels (blocks of 8, the last partial), read in a scattered order and in part (as a
    // PE-reuse pass does), with the AVX-512 kernels where the machine has them and without.
    const DatapathCase c = GetParam();
    Rng rng(101 + int(c.q) * 7 + int(c.in) * 3 + c.in_bits);
    const int n = 21;
    for (int fan_in : {5, 64, 130, 500, 2113}) {  // 2113: past 31 words (the AVX2 byte counts)
        LayerConfig l = fc_layer(fan_in, n, c.q, c.wbits, c.in, c.in_bits, 3, 1);
        LayerParams p;
        p.weights = random_weights(rng, size_t(fan_in) * n, c.q, c.wbits);
        WeightMemory mem(l, p);
        auto fast = make_pe_datapath(l.datapath, c.in, c.in_bits, mem);
        allow_simd_kernels(false);
        auto portable = make_pe_datapath(l.datapath, c.in, c.in_bits, mem);
        allow_simd_kernels(true);
        for (int trial = 0; trial < 3; ++trial) {
            const std::vector<int32_t> x = random_codes(rng, size_t(fan_in), c.in, c.in_bits);
            fast->load_input(x.data());
            portable->load_input(x.data());
            for (int k : {13, 2, 20, 7, 8, 0, 19, 9}) {
                const int64_t want = naive_dot(p.weights, size_t(k), size_t(fan_in), x, c.in);
                ASSERT_EQ(fast->dot(k), want) << to_string(l.datapath) << " fan_in " << fan_in << " channel " << k;
                ASSERT_EQ(portable->dot(k), want) << to_string(l.datapath) << " fan_in " << fan_in << " channel " << k;
            }
            // Runs of channels in one call: whole, across and inside blocks of 8, one channel.
            for (auto [first, count] : {std::pair{0, n}, {3, 10}, {7, 2}, {13, 8}, {20, 1}, {8, 8}}) {
                std::vector<int64_t> a(size_t(count), -1), b(size_t(count), -1);
                fast->dots(first, count, a.data());
                portable->dots(first, count, b.data());
                for (int i = 0; i < count; ++i) {
                    const int64_t want = naive_dot(p.weights, size_t(first + i), size_t(fan_in), x, c.in);
                    ASSERT_EQ(a[size_t(i)], want) << to_string(l.datapath) << " fan_in " << fan_in << " run " << first;
                    ASSERT_EQ(b[size_t(i)], want) << to_string(l.datapath) << " fan_in " << fan_in << " run " << first;
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllDatapaths, DatapathTest,
    ::testing::Values(DatapathCase{WeightQuant::Binary, 1, Encoding::Bipolar, 1},   // XNOR-popcount
                      DatapathCase{WeightQuant::Binary, 1, Encoding::Unsigned, 2},  // ADD/SUB
                      DatapathCase{WeightQuant::Binary, 1, Encoding::Unsigned, 8},
                      DatapathCase{WeightQuant::Binary, 1, Encoding::Unsigned, 11},  // more than 8 planes
                      DatapathCase{WeightQuant::Ternary, 2, Encoding::Unsigned, 9},
                      DatapathCase{WeightQuant::Ternary, 2, Encoding::Unsigned, 3},
                      DatapathCase{WeightQuant::Ternary, 2, Encoding::Signed, 4},
                      DatapathCase{WeightQuant::Ternary, 2, Encoding::Bipolar, 1},
                      DatapathCase{WeightQuant::Uniform, 8, Encoding::Unsigned, 8},  // DSP MAC
                      DatapathCase{WeightQuant::Uniform, 4, Encoding::Signed, 8},
                      DatapathCase{WeightQuant::Uniform, 3, Encoding::Bipolar, 1},
                      DatapathCase{WeightQuant::Uniform, 4, Encoding::Unsigned, 15},   // int16 products
                      DatapathCase{WeightQuant::Uniform, 4, Encoding::Unsigned, 16}),  // int32 products
    [](const ::testing::TestParamInfo<DatapathCase>& info) {
        return std::string(to_string(info.param.q)) + std::to_string(info.param.wbits) + "_" +
               to_string(info.param.in) + std::to_string(info.param.in_bits);
    });

TEST(ThresholdUnit, CountsThresholdsReachedAndRequantises) {
    LayerConfig l = fc_layer(4, 2, WeightQuant::Binary, 1, Encoding::Unsigned, 2, 1, 1);
    l.activation = {ActivationType::Thresholds, 2};
    LayerParams p;
    p.thresholds = {-2, 0, 5, /* channel 1 */ 10, 11, 12};
    ThresholdUnit t(l, p);
    EXPECT_EQ(t.apply(-3, 0), 0);
    EXPECT_EQ(t.apply(-2, 0), 1);  // acc equal to a threshold reaches it
    EXPECT_EQ(t.apply(4, 0), 2);
    EXPECT_EQ(t.apply(5, 0), 3);
    EXPECT_EQ(t.apply(11, 1), 2);

    l.activation = {ActivationType::Relu, 4};
    p.bias = {3, -100};
    p.mul = 3;
    p.shift = 2;  // ((acc + bias) * 3 + 2) >> 2
    ThresholdUnit r(l, p);
    EXPECT_EQ(r.apply(1, 0), 3);     // (4*3+2)>>2 = 3
    EXPECT_EQ(r.apply(2, 0), 4);     // (5*3+2)>>2 = 4 (17/4 floor)
    EXPECT_EQ(r.apply(100, 0), 15);  // clamped to 2^4 - 1
    EXPECT_EQ(r.apply(0, 1), 0);     // negative clamped to 0

    l.activation = {ActivationType::None, 32};
    ThresholdUnit none(l, p);
    EXPECT_EQ(none.apply(-12345, 1), -12345);
}

TEST(ThresholdUnit, PlanarRowsEqualOneChannelAtATime) {
    // The row version's planar count over long and odd runs (more than its 64-channel step),
    // every threshold count up to 15, accumulators past int32 either way, and thresholds out
    // of order (where above 8 a channel the row version must search as apply() does).
    Rng rng(23);
    const int channels = 203;
    for (int bits : {1, 2, 3, 4}) {
        for (bool ascending : {true, false}) {
            LayerConfig l = fc_layer(4, channels, WeightQuant::Binary, 1, Encoding::Unsigned, 2, 1, 1);
            l.activation = {ActivationType::Thresholds, bits};
            LayerParams p;
            for (int n = 0; n < channels; ++n) {
                int32_t t = int32_t(rng.below(200)) - 100;
                for (int j = 0; j < l.thresholds_per_channel(); ++j)
                    p.thresholds.push_back(ascending ? (t += int32_t(rng.below(9))) : int32_t(rng.below(200)) - 100);
            }
            if (ascending) {  // channel 0's lowest and highest at the ends of int32
                p.thresholds.front() = INT32_MIN;
                p.thresholds[size_t(l.thresholds_per_channel() - 1)] = INT32_MAX;
            }
            allow_simd_kernels(false);  // the portable count, then the vector one where the processor has it
            const ThresholdUnit portable(l, p);
            allow_simd_kernels(true);
            const ThresholdUnit fast(l, p);
            for (auto [first, count] : {std::pair{0, channels}, {5, 131}, {64, 64}, {200, 3}, {1, 1}, {17, 40}}) {
                std::vector<int64_t> acc(static_cast<size_t>(count));
                for (auto& a : acc) a = int64_t(rng.below(240)) - 120;
                acc[0] = int64_t(INT32_MAX) + 5;
                if (count > 1) acc[1] = int64_t(INT32_MIN) - 5;
                if (count > 2) acc[2] = INT32_MAX;
                std::vector<int32_t> out(acc.size(), -7), out_portable(acc.size(), -7);
                fast.apply(acc.data(), first, count, out.data());
                portable.apply(acc.data(), first, count, out_portable.data());
                for (int i = 0; i < count; ++i) {
                    const int32_t want = portable.apply(acc[size_t(i)], first + i);
                    ASSERT_EQ(out[size_t(i)], want) << bits << " bits, ascending " << ascending << ", run " << first;
                    ASSERT_EQ(out_portable[size_t(i)], want) << bits << " bits, ascending " << ascending << ", run " << first;
                }
            }
        }
    }
}

TEST(ThresholdUnit, RowApplyEqualsOneChannelAtATime) {
    // Every activation kind and threshold count the row version has its own loop for, and one
    // it has not (15 thresholds: the search), over a run of channels not starting at 0.
    Rng rng(5);
    const int channels = 12;
    for (int bits : {1, 2, 3, 4}) {
        for (ActivationType type : {ActivationType::Thresholds, ActivationType::Bipolar, ActivationType::Relu,
                                    ActivationType::None}) {
            if (type == ActivationType::Bipolar && bits != 1) continue;
            LayerConfig l = fc_layer(4, channels, WeightQuant::Binary, 1, Encoding::Unsigned, 2, 1, 1);
            l.activation = {type, type == ActivationType::None ? 32 : bits};
            LayerParams p;
            for (int n = 0; n < channels; ++n) {
                int32_t t = int32_t(rng.below(20)) - 10;
                for (int j = 0; j < l.thresholds_per_channel(); ++j) p.thresholds.push_back(t += int32_t(rng.below(5)));
                p.bias.push_back(int32_t(rng.below(40)) - 20);
            }
            p.mul = 3;
            p.shift = 2;
            const ThresholdUnit unit(l, p);
            std::vector<int64_t> acc(9);
            for (auto& a : acc) a = int64_t(rng.below(80)) - 40;
            std::vector<int32_t> out(acc.size(), -7);
            unit.apply(acc.data(), 2, int(acc.size()), out.data());
            for (size_t i = 0; i < acc.size(); ++i)
                ASSERT_EQ(out[i], unit.apply(acc[i], int(i) + 2)) << to_string(type) << " " << bits << " bits, " << i;
        }
    }
}

TEST(MvtuKernel, GroupedConvMatchesGoldenReference) {
    // 2-group 3x3 conv, unsigned 2-bit inputs, binary weights, 2-bit thresholds.
    LayerConfig l = testing_support::conv_layer("conv", 3, 1, 1, {5, 5, 6}, 8, /*groups=*/2);
    testing_support::set_operands(l, Encoding::Unsigned, 2, {WeightQuant::Binary, 1, 0.0, 1.0},
                                  {ActivationType::Thresholds, 2});  // out: unsigned 2-bit, ADD/SUB
    l.folding = {2, 3, 1};
    Rng rng(99);
    LayerParams p;
    p.weights = random_weights(rng, size_t(l.fan_in()) * 8, WeightQuant::Binary, 1);
    for (int n = 0; n < 8; ++n)
        for (int t : {-4, 0, 4}) p.thresholds.push_back(t + n % 3);
    FeatureMap in(l.in);
    for (auto& v : in.data) v = int32_t(rng.below(4));

    MvtuKernel kernel(l, p);
    ASSERT_EQ(kernel.window_length(), 9 * 6);
    const FeatureMap expected = golden::run_layer(l, p, in);
    std::vector<int32_t> windows(size_t(l.out.width) * kernel.window_length());
    std::vector<int32_t> out(size_t(l.out.width) * 8);
    for (int oy = 0; oy < l.out.height; ++oy) {
        build_window_row(l, testing_support::window_input_rows(l, in, oy).data(), windows.data());
        kernel.compute(windows.data(), l.out.width, out.data());
        for (int ox = 0; ox < l.out.width; ++ox)
            for (int n = 0; n < 8; ++n) ASSERT_EQ(out[size_t(ox) * 8 + n], expected.at(oy, ox, n)) << oy << "," << ox << "," << n;
    }
}

}  // namespace mvtu_kernel_test
}  // namespace qsim
