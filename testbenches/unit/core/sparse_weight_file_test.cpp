// Core tests of the version-2 weight file (docs/weights-format.md): run-length and Huffman
// coded ternary layers and SYQ scaling factors round-trip; files that need neither stay
// version 1, byte for byte; the new fields are validated with the byte offset and field name;
// `qnn-weights info` reports the compressed sizes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "models/decompressor/ternary_codec.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace sparse_weight_file_test {

// fc "fc" (ternary, 256 -> 32) and a pixel-wise SYQ conv "cv" before it.
NetworkConfig net_with(bool syq) {
    NetworkConfig net = testing_support::NetBuilder(4, 4, 8, 2)
                            .conv("cv", 3, 16, WeightQuant::Binary, 1, ActivationType::Thresholds, 2, 1)
                            .fc("fc", 32, WeightQuant::Ternary, 2, ActivationType::None, 32)
                            .build();
    if (syq) net.layers[0].scaling = {ScalingGranularity::Pixel, 6};
    return net;
}

void expect_params_equal(const NetworkParams& a, const NetworkParams& b) {
    testing_support::expect_same(a, b);
    for (size_t l = 0; l < a.layers.size(); ++l) EXPECT_EQ(a.layers[l].scales, b.layers[l].scales);
}

uint16_t version_of(const std::vector<uint8_t>& b) { return uint16_t(b[8] | b[9] << 8); }

void put_crc(std::vector<uint8_t>& b) {
    const uint32_t c = crc32(b.data(), b.size() - 4);
    for (int i = 0; i < 4; ++i) b[b.size() - 4 + size_t(i)] = uint8_t(c >> (8 * i));
}

TEST(SparseWeightFile, PlainFilesStayVersionOne) {
    const NetworkConfig net = net_with(false);
    const NetworkParams p = generate_params(net, 4, 0.9);
    const auto b = encode_weight_file(net, p);
    EXPECT_EQ(version_of(b), 1);
    EXPECT_EQ(encode_weight_file(net, p, WeightFileOptions{}), b);
    expect_params_equal(decode_weight_file(b, net), p);
}

TEST(SparseWeightFile, EncodedTernaryLayersRoundTripAndShrink) {
    const NetworkConfig net = net_with(false);
    const NetworkParams p = generate_params(net, 4, 0.95);
    const size_t packed = encode_weight_file(net, p).size();
    for (WeightEncoding e : {WeightEncoding::RunLength, WeightEncoding::Huffman})
        for (int b : {0, 3, 9}) {
            SCOPED_TRACE(std::string(to_string(e)) + " delta_bits " + std::to_string(b));
            WeightFileOptions o;
            o.encoding = e;
            o.delta_bits = b;
            const auto bytes = encode_weight_file(net, p, o);
            EXPECT_EQ(version_of(bytes), 2);
            expect_params_equal(decode_weight_file(bytes, net), p);
            if (b == 0) {
                EXPECT_LT(bytes.size(), packed);  // 8,192 ternary weights at 95% zeros
            }
            const std::string path = ::testing::TempDir() + "/sparse_" + std::to_string(int(e)) + ".qnnw";
            std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                        std::streamsize(bytes.size()));
            const WeightFileSummary s = summarize_weight_file(path);
            ASSERT_TRUE(s.ok()) << s.problem;
            EXPECT_EQ(s.version, 2);
            EXPECT_EQ(s.layers[0].weight_encoding, 0);  // the binary conv stays packed
            EXPECT_EQ(s.layers[1].weight_encoding, e == WeightEncoding::RunLength ? 1 : 2);
            EXPECT_TRUE(s.layers[1].compressed_known);
            EXPECT_FALSE(s.layers[0].compressed_known);
            const std::string text = format_weight_file_summary(s);
            EXPECT_NE(text.find("ternary weights"), std::string::npos) << text;
            EXPECT_NE(text.find(e == WeightEncoding::RunLength ? "rle b=" : "huffman b="), std::string::npos) << text;
        }
}

TEST(SparseWeightFile, SyqFactorsRoundTripInAVersionTwoFile) {
    const NetworkConfig net = net_with(true);
    const NetworkParams p = generate_params(net, 8, 0.0);
    ASSERT_EQ(p.layers[0].scales.size(), 9u);
    const auto b = encode_weight_file(net, p);
    EXPECT_EQ(version_of(b), 2);
    expect_params_equal(decode_weight_file(b, net), p);
    // The file of a layer-wise config does not fit a pixel-wise one: scale_count differs.
    const NetworkConfig plain = net_with(false);
    const NetworkParams q = generate_params(plain, 8, 0.0);
    WeightFileOptions o;
    o.encoding = WeightEncoding::RunLength;
    const auto v2 = encode_weight_file(plain, q, o);
    try {
        decode_weight_file(v2, net, "f.qnnw");
        ADD_FAILURE() << "accepted";
    } catch (const WeightFileError& e) {
        EXPECT_EQ(e.field(), "layers[cv].scale_count");
        EXPECT_NE(std::string(e.what()).find("expected 9"), std::string::npos) << e.what();
    }
}

TEST(SparseWeightFile, BadEncodingFieldsNameTheirOffset) {
    const NetworkConfig net = testing_support::NetBuilder(1, 1, 64, 2)
                                  .fc("fc", 8, WeightQuant::Ternary, 2, ActivationType::None, 32)
                                  .build();
    const NetworkParams p = generate_params(net, 2, 0.8);
    WeightFileOptions o;
    o.encoding = WeightEncoding::RunLength;
    o.delta_bits = 4;
    const auto good = encode_weight_file(net, p, o);
    // Record at 24: u16 name length, "fc", 20 bytes of fixed fields, then weight_encoding.
    const size_t enc_at = 24 + 2 + 2 + 20;
    ASSERT_EQ(good[enc_at], 1);
    auto expect = [&](std::vector<uint8_t> b, uint64_t offset, const std::string& field, const std::string& word) {
        put_crc(b);
        try {
            decode_weight_file(b, net, "f.qnnw");
            ADD_FAILURE() << "accepted; expected " << field;
        } catch (const WeightFileError& e) {
            if (offset != ~uint64_t(0)) {
                EXPECT_EQ(e.offset(), offset) << e.what();
            }
            EXPECT_EQ(e.field(), field) << e.what();
            EXPECT_NE(std::string(e.what()).find(word), std::string::npos) << e.what();
        }
    };
    auto b = good;
    b[enc_at] = 3;
    expect(b, enc_at, "layers[fc].weight_encoding", "expected 0 (packed), 1 (rle) or 2 (huffman)");
    // The weight section: u64 size, then delta_bits (u8) and the entry count (u64).
    b = good;
    b[enc_at + 1 + 8] = 0;
    expect(b, enc_at + 9, "layers[fc].weights", "delta_bits must be in 1..15");
    b = good;
    b[enc_at + 1 + 8 + 1] ^= 1;  // an entry count that does not match the stream
    expect(b, ~uint64_t(0), "layers[fc].weights", "");
}

TEST(SparseWeightFile, QnnWeightsWritesAndDescribesEncodedFiles) {
    const std::string dir = ::testing::TempDir();
    const std::string file = dir + "/mlp_rle.qnnw";
    const std::string cfg = std::string(QSIM_SOURCE_DIR) + "/configs/sparse_tnn_mlp.yaml";
    const std::string base = std::string(QSIM_QNN_WEIGHTS) + " generate --config " + cfg +
                             " --set hidden=256 --out " + file;
    ASSERT_EQ(std::system((base + " --encoding huffman > /dev/null 2>&1").c_str()), 0);
    const std::string info = dir + "/mlp_rle.txt";
    ASSERT_EQ(std::system((std::string(QSIM_QNN_WEIGHTS) + " info " + file + " > " + info).c_str()), 0);
    std::ifstream in(info);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("version 2"), std::string::npos) << text;
    EXPECT_NE(text.find("huffman b=7"), std::string::npos) << text;
    EXPECT_NE(text.find("RLE B"), std::string::npos) << text;
    EXPECT_EQ(std::system((base + " --encoding zip > /dev/null 2>&1").c_str()) >> 8, 2);
}

}  // namespace sparse_weight_file_test
}  // namespace qsim
