// Tests of the weight file format (weight_file.hpp): the CRC-32, the round trip through a file,
// the byte layout the writer produces, and the summary of `qnn-weights info`. Invalid files:
// weight_file_invalid_test.cpp; coded weights and SYQ factors: sparse_weight_file_test.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"
#include "testbenches/unit/core/weight_file_test_support.hpp"

namespace qsim {
namespace weight_file_test {

using namespace weight_file_testing;

TEST(WeightFileCrc, KnownValues) {
    const std::string s = "123456789";
    EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0xCBF43926u);
    EXPECT_EQ(crc32(nullptr, 0), 0u);
    const uint8_t a = 'a';
    EXPECT_EQ(crc32(&a, 1), 0xE8B7BE43u);
    // Running checksum over two pieces equals the one-shot checksum.
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    EXPECT_EQ(crc32(p + 4, 5, crc32(p, 4)), 0xCBF43926u);
}

TEST(WeightFileCrc, EmptyPieceKeepsTheRunningValue) {
    // An empty piece without data (an empty vector's data()) leaves a running checksum as it is;
    // zlib's crc32 alone answers a null buffer with the initial value 0.
    const std::string s = "123456789";
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const uint32_t head = crc32(p, 4);
    EXPECT_NE(head, 0u);
    EXPECT_EQ(crc32(nullptr, 0, head), head);
    EXPECT_EQ(crc32(p + 4, 5, crc32(nullptr, 0, head)), 0xCBF43926u);
}

TEST_F(WeightFileTest, RoundTripEqualsGeneratedParams) {
    expect_same(read_weight_file(good_path, cfg), params);
    // Deterministic bytes.
    EXPECT_EQ(encode_weight_file(cfg, params), good);
}

TEST_F(WeightFileTest, HeaderAndRecordLayout) {
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(good.data()), 8), std::string("QNNSIMW\0", 8));
    EXPECT_EQ(good[8] | good[9] << 8, 1);          // version
    EXPECT_EQ(good[10] | good[11] << 8, 0);        // flags
    EXPECT_EQ(get32(good, 12), 5u);                // compute layers only
    EXPECT_EQ(get32(good, 16), good.size() - 28);  // payload bytes
    EXPECT_EQ(get32(good, 20), 0u);
    EXPECT_EQ(recs.back().end, good.size() - 4);
    EXPECT_EQ(get32(good, good.size() - 4), crc32(good.data(), good.size() - 4));

    // conv1: binary, 1-bit weights bit-packed LSB first, bit 1 = +1.
    const Rec& r = recs[0];
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(&good[r.name]), 5), "conv1");
    EXPECT_EQ(good[r.quant], 0);
    EXPECT_EQ(good[r.wbits], 1);
    EXPECT_EQ(good[r.act], 0);
    EXPECT_EQ(good[r.abits], 2);
    EXPECT_EQ(get32(good, r.n), 16u);
    EXPECT_EQ(get32(good, r.fan_in), 27u);
    EXPECT_EQ(get32(good, r.packed_bytes), 16u * 27 / 8);
    EXPECT_EQ(get32(good, r.t), 3u);
    const auto& w0 = params.layers[0].weights;
    for (size_t k = 0; k < w0.size(); ++k)
        ASSERT_EQ((good[r.packed + k / 8] >> (k % 8)) & 1, w0[k] > 0 ? 1 : 0) << k;
    for (size_t i = 0; i < params.layers[0].thresholds.size(); ++i)
        ASSERT_EQ(int32_t(get32(good, r.thresholds + 4 * i)), params.layers[0].thresholds[i]);
    float scale;
    uint32_t su = get32(good, r.scale);
    std::memcpy(&scale, &su, 4);
    EXPECT_EQ(scale, 0.5f);

    // conv2: ternary 2-bit codes 01 = +1, 11 = -1, 00 = 0; relu tail.
    const Rec& r2 = recs[1];
    const auto& w2 = params.layers[2].weights;
    for (size_t k = 0; k < w2.size(); ++k) {
        const unsigned code = (good[r2.packed + k / 4] >> (2 * (k % 4))) & 3;
        ASSERT_EQ(code, w2[k] == 1 ? 1u : w2[k] == -1 ? 3u : 0u) << k;
    }
    EXPECT_EQ(get32(good, r2.t), 0u);
    EXPECT_EQ(int32_t(get32(good, r2.mul)), params.layers[2].mul);
    EXPECT_EQ(int32_t(get32(good, r2.shift)), params.layers[2].shift);
    for (size_t i = 0; i < 16; ++i) EXPECT_EQ(int32_t(get32(good, r2.bias + 4 * i)), params.layers[2].bias[i]);

    // fc3: 3-bit two's complement codes crossing byte boundaries.
    const Rec& r5 = recs[4];
    const auto& w5 = params.layers[5].weights;
    EXPECT_EQ(get32(good, r5.packed_bytes), (150u * 3 + 7) / 8);
    for (size_t k = 0; k < w5.size(); ++k) {
        const size_t bit = 3 * k;
        unsigned v = good[r5.packed + bit / 8] | (bit / 8 + 1 < 57 ? good[r5.packed + bit / 8 + 1] << 8 : 0);
        unsigned code = (v >> (bit % 8)) & 7;
        ASSERT_EQ(code, unsigned(w5[k]) & 7u) << k;
    }
}

TEST_F(WeightFileTest, WriterAndReaderAgreeForEveryQuantisation) {
    // Extreme values: uniform 8-bit +-127 and every value of a uniform 2-bit layer.
    const NetworkConfig c = net_builder(1, 1, 9)
                                .fc("u8", 3, WeightQuant::Uniform, 8, ActivationType::Relu, 8)
                                .fc("u2", 5, WeightQuant::Uniform, 2, ActivationType::Thresholds, 1)
                                .build();
    NetworkParams p = generate_params(c, 1, 0.0);
    p.layers[0].weights[0] = 127;
    p.layers[0].weights[1] = -127;
    p.layers[0].weights[2] = 0;
    p.layers[1].weights[0] = 0;
    const std::string path = (dir / "x.qnnw").string();
    write_weight_file(path, c, p);
    expect_same(read_weight_file(path, c), p);
}

TEST_F(WeightFileTest, DescribeListsLayersAndChecksum) {
    const std::string d = describe_weight_file(good_path);
    for (const char* name : {"conv1", "conv2", "fc1", "fc2", "fc3", "binary", "ternary", "uniform", "relu",
                             "bipolar", "none", "OK"})
        EXPECT_TRUE(contains(d, name)) << name << " not in:\n" << d;
    EXPECT_FALSE(contains(d, "pool1"));
    const WeightFileSummary s = summarize_weight_file(good_path);
    EXPECT_TRUE(s.ok());
    ASSERT_EQ(s.layers.size(), 5u);
    EXPECT_EQ(s.layers[1].n, 16u);
    EXPECT_EQ(s.layers[1].fan_in, 72u);
    EXPECT_EQ(s.layers[1].offset, recs[1].start);

    std::vector<uint8_t> bad = good;
    bad[recs[2].packed + 3] ^= 0x10;
    const std::string bad_path = (dir / "bad.qnnw").string();
    write_bytes(bad_path, bad);
    const std::string db = describe_weight_file(bad_path);
    EXPECT_TRUE(contains(db, "BAD")) << db;
    EXPECT_TRUE(contains(db, "fc3")) << db;  // still lists the layers
    EXPECT_FALSE(summarize_weight_file(bad_path).ok());
}

}  // namespace weight_file_test
}  // namespace qsim
