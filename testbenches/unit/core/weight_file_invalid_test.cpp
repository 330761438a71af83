// Tests of the weight-file reader and writer on every kind of invalid file or parameters: each
// error names the file, the byte offset, the field and what was expected
// (docs/weights-format.md, "Validation and error messages").
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"
#include "testbenches/unit/core/weight_file_test_support.hpp"

namespace qsim {
namespace weight_file_invalid_test {

using namespace weight_file_testing;

TEST_F(WeightFileTest, WrongMagic) {
    auto b = good;
    b[3] = 'X';
    expect_error(b, 0, "header.magic", {"expected \"QNNSIMW\\0\"", "QNNXIMW"});
}

TEST_F(WeightFileTest, UnsupportedVersion) {
    auto b = good;
    put16(b, 8, 3);
    expect_error(b, 8, "header.version", {"unsupported version 3", "expected 1 or 2"});
}

TEST_F(WeightFileTest, NonzeroFlags) {
    auto b = good;
    put16(b, 10, 4);
    expect_error(b, 10, "header.flags", {"expected 0", "file has 4"});
}

TEST_F(WeightFileTest, TruncatedHeader) {
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + 5), 0, "header.magic",
                 {"truncated", "expected 8 bytes", "@5"});
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + 20), 16, "header.payload_bytes",
                 {"truncated", "expected 8 bytes", "@20"});
    expect_error({}, 0, "header.magic", {"truncated"});
}

TEST_F(WeightFileTest, TruncatedInsideARecord) {
    // Cut in the middle of fc1's N field.
    const size_t cut = recs[2].n + 2;
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + long(cut)), recs[2].n, "layers[fc1].n",
                 {"truncated", "expected 4 bytes", "file ends at @" + std::to_string(cut)});
    // Cut inside conv2's packed weights.
    const size_t cut2 = recs[1].packed + 5;
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + long(cut2)), recs[1].packed,
                 "layers[conv2].weights", {"truncated", "expected 288 bytes"});
    // Cut inside the thresholds of fc2.
    const size_t cut3 = recs[3].thresholds + 7;
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + long(cut3)), recs[3].thresholds,
                 "layers[fc2].thresholds", {"truncated", "expected 180 bytes"});
}

TEST_F(WeightFileTest, TruncatedChecksum) {
    const size_t cut = good.size() - 2;
    expect_error(std::vector<uint8_t>(good.begin(), good.begin() + long(cut)), good.size() - 4, "checksum",
                 {"truncated", "expected 4 bytes"});
}

TEST_F(WeightFileTest, ChecksumMismatch) {
    auto b = good;
    b[recs[1].packed + 1] ^= 0x04;  // one weight bit of conv2
    const uint32_t stored = get32(good, good.size() - 4);
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", stored);
    expect_error(b, good.size() - 4, "checksum", {"mismatch", std::string("stored ") + buf, "computed 0x"});
}

TEST_F(WeightFileTest, EveryFlippedByteIsDetected) {
    for (size_t i = 0; i < good.size(); ++i) {
        for (uint8_t mask : {uint8_t(0x01), uint8_t(0x80)}) {
            auto b = good;
            b[i] ^= mask;
            try {
                decode_weight_file(b, cfg, "flip.qnnw");
                ADD_FAILURE() << "flip at " << i << " not detected";
            } catch (const WeightFileError& e) {
                // Everything after magic/version/flags and outside the payload-size field is
                // covered by the checksum.
                if (i >= 12 && !(i >= 16 && i < 24)) {
                    ASSERT_EQ(e.field(), "checksum") << "flip at " << i << ": " << e.what();
                }
            }
        }
    }
}

TEST_F(WeightFileTest, TrailingGarbage) {
    auto b = good;
    b.push_back(0);
    b.push_back(0x55);
    expect_error(b, good.size(), "trailer", {"trailing data", "2 more bytes", "header.payload_bytes"});
}

TEST_F(WeightFileTest, PayloadSizeLargerThanRecords) {
    auto b = good;
    const size_t crc_at = b.size() - 4;
    b.insert(b.begin() + long(crc_at), {0, 0, 0, 0});
    put64(b, 16, get32(good, 16) + 4);
    fix_crc(b);
    expect_error(b, crc_at, "header.payload_bytes", {"records end at @" + std::to_string(crc_at), "declares"});
}

TEST_F(WeightFileTest, RecordRunsPastPayload) {
    // Header says the payload is shorter than the records; extra bytes move to "after".
    auto b = good;
    put64(b, 16, get32(good, 16) - 10);
    b.resize(b.size() - 10);
    fix_crc(b);
    expect_error(b, recs[4].packed, "layers[fc3].weights",
                 {"expected 57 bytes", "payload", "ends at @" + std::to_string(b.size() - 4)});
}

TEST_F(WeightFileTest, LayerCountDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers.pop_back();
    expect_error(good, c, 12, "header.layer_count", {"expected 4 (compute layers and requantised add layers in config)", "file has 5"});
}

TEST_F(WeightFileTest, LayerNameDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers[config_index(c, "conv2")].name = "conv2b";
    expect_error(good, c, recs[1].name, "layers[1].name", {"expected 'conv2b'", "file has 'conv2'"});
}

TEST_F(WeightFileTest, LayerOrderDifferentFromConfig) {
    NetworkConfig c = cfg;
    std::swap(c.layers[config_index(c, "fc1")].name, c.layers[config_index(c, "fc2")].name);
    expect_error(good, c, recs[2].name, "layers[2].name", {"expected 'fc2'", "file has 'fc1'"});
}

TEST_F(WeightFileTest, QuantDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers[0].weights.quant = WeightQuant::Ternary;
    c.layers[0].weights.bits = 2;
    expect_error(good, c, recs[0].quant, "layers[conv1].quant",
                 {"expected ternary (from config), file has binary"});
}

TEST_F(WeightFileTest, WeightBitsDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers[config_index(c, "fc1")].weights.bits = 5;
    expect_error(good, c, recs[2].wbits, "layers[fc1].weight_bits", {"expected 5 (from config), file has 4"});
}

TEST_F(WeightFileTest, ActivationDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers[config_index(c, "fc2")].activation.type = ActivationType::Relu;
    expect_error(good, c, recs[3].act, "layers[fc2].activation",
                 {"expected relu (from config), file has thresholds"});
    NetworkConfig c2 = cfg;
    c2.layers[config_index(c2, "conv2")].activation.bits = 4;
    expect_error(good, c2, recs[1].abits, "layers[conv2].activation_bits", {"expected 4 (from config), file has 3"});
}

TEST_F(WeightFileTest, OutputChannelsDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers[0].out.channels = 32;
    expect_error(good, c, recs[0].n, "layers[conv1].n", {"expected 32 (from config), file has 16"});
}

TEST_F(WeightFileTest, FanInDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers[config_index(c, "conv2")].kernel = 1;  // fan_in 8 instead of 72
    expect_error(good, c, recs[1].fan_in, "layers[conv2].fan_in", {"expected 8 (from config), file has 72"});
}

TEST_F(WeightFileTest, PackedByteCountWrong) {
    auto b = good;
    put64(b, recs[0].packed_bytes, 55);
    fix_crc(b);
    expect_error(b, recs[0].packed_bytes, "layers[conv1].packed_bytes", {"expected 54", "file has 55"});
}

TEST_F(WeightFileTest, InvalidTernaryCode) {
    auto b = good;
    b[recs[1].packed + 2] = uint8_t((b[recs[1].packed + 2] & ~0x30) | 0x20);  // weight 10 := 10b
    fix_crc(b);
    expect_error(b, recs[1].packed + 2, "layers[conv2].weights",
                 {"invalid code 10", "weight 10", "expected 01 (+1), 11 (-1) or 00 (0)"});
}

TEST_F(WeightFileTest, InvalidUniformCode) {
    auto b = good;
    b[recs[2].packed + 7] = uint8_t((b[recs[2].packed + 7] & 0x0F) | 0x80);  // weight 15 := -8
    fix_crc(b);
    expect_error(b, recs[2].packed + 7, "layers[fc1].weights",
                 {"invalid code 1000", "weight 15", "[-7, 7]", "-8 is outside the symmetric range"});
}

TEST_F(WeightFileTest, NonzeroPaddingBits) {
    auto b = good;
    const size_t last = recs[4].packed + 56;  // 450 bits: the top 6 bits of byte 56 are padding
    b[last] |= 0x80;
    fix_crc(b);
    expect_error(b, last, "layers[fc3].weights", {"padding bits", "must be 0"});
}

TEST_F(WeightFileTest, LayerRecordLeftPackedIsCheckedTheSame) {
    // DMA channel 1 leaves a record's weights packed (they go into the weight memories as they
    // are): the pointer is at the record's packed codes, the rest of the record is decoded, and
    // bad codes or padding give the same error as a full decode.
    std::vector<size_t> compute;
    for (size_t l = 0; l < cfg.layers.size(); ++l)
        if (cfg.layers[l].is_compute()) compute.push_back(l);
    ASSERT_EQ(compute.size(), recs.size());
    auto record = [&](size_t i) {
        return std::vector<uint8_t>(good.begin() + ptrdiff_t(recs[i].start), good.begin() + ptrdiff_t(recs[i].end));
    };
    for (size_t i = 0; i < recs.size(); ++i) {
        const LayerConfig& l = cfg.layers[compute[i]];
        const std::vector<uint8_t> rec = record(i);
        const uint8_t* packed = nullptr;
        const LayerParams kept = decode_layer_record(rec.data(), rec.size(), l, "rec", &packed);
        const LayerParams full = decode_layer_record(rec, l, "rec");
        EXPECT_EQ(packed, rec.data() + (recs[i].packed - recs[i].start)) << l.name;
        EXPECT_TRUE(kept.weights.empty()) << l.name;
        EXPECT_EQ(full.weights, params.layers[compute[i]].weights) << l.name;
        EXPECT_EQ(kept.thresholds, full.thresholds) << l.name;
        EXPECT_EQ(kept.bias, full.bias) << l.name;
        EXPECT_EQ(kept.mul, full.mul) << l.name;
        EXPECT_EQ(kept.shift, full.shift) << l.name;
    }
    struct Bad { size_t rec; size_t byte; uint8_t clear, set; };
    for (const Bad& bad : {Bad{1, 2, 0x30, 0x20}, Bad{2, 7, 0xF0, 0x80}, Bad{4, 56, 0x00, 0x80}}) {
        std::vector<uint8_t> rec = record(bad.rec);
        uint8_t& b = rec[recs[bad.rec].packed - recs[bad.rec].start + bad.byte];
        b = uint8_t((b & ~bad.clear) | bad.set);
        const LayerConfig& l = cfg.layers[compute[bad.rec]];
        std::string full, kept;
        try {
            decode_layer_record(rec, l, "rec");
        } catch (const WeightFileError& e) {
            full = e.what();
        }
        try {
            const uint8_t* packed = nullptr;
            decode_layer_record(rec.data(), rec.size(), l, "rec", &packed);
        } catch (const WeightFileError& e) {
            kept = e.what();
        }
        EXPECT_FALSE(full.empty()) << l.name;
        EXPECT_EQ(kept, full) << l.name;
    }
}

TEST_F(WeightFileTest, ThresholdsNotAscending) {
    auto b = good;
    const size_t at = recs[0].thresholds + 4 * 3;  // channel 1, thresholds 0 and 1
    const uint32_t t0 = get32(b, at), t1 = get32(b, at + 4);
    put32(b, at, t1);
    put32(b, at + 4, t0);
    fix_crc(b);
    expect_error(b, at + 4, "layers[conv1].thresholds", {"channel 1", "expected ascending"});
}

TEST_F(WeightFileTest, ThresholdCountDifferentFromConfig) {
    NetworkConfig c = cfg;
    c.layers[0].activation.bits = 3;
    auto b = good;
    b[recs[0].abits] = 3;
    fix_crc(b);
    expect_error(b, c, recs[0].t, "layers[conv1].thresholds_per_channel", {"expected 7 (from config), file has 3"});
}

TEST_F(WeightFileTest, InvalidReluShiftAndMul) {
    auto b = good;
    put32(b, recs[1].shift, 0);
    fix_crc(b);
    expect_error(b, recs[1].shift, "layers[conv2].shift", {"expected a shift in 1..31", "file has 0"});
    auto b2 = good;
    put32(b2, recs[1].mul, uint32_t(-3));
    fix_crc(b2);
    expect_error(b2, recs[1].mul, "layers[conv2].mul", {"expected a multiplier >= 1", "file has -3"});
}

TEST_F(WeightFileTest, InvalidEnumCodes) {
    auto b = good;
    b[recs[3].quant] = 7;
    fix_crc(b);
    expect_error(b, recs[3].quant, "layers[fc2].quant", {"invalid code 7", "expected 0 (binary)"});
    auto b2 = good;
    b2[recs[3].act] = 9;
    fix_crc(b2);
    expect_error(b2, recs[3].act, "layers[fc2].activation", {"invalid code 9", "3 (none)"});
}

TEST_F(WeightFileTest, UnreadableFile) {
    try {
        read_weight_file((dir / "missing.qnnw").string(), cfg);
        ADD_FAILURE();
    } catch (const WeightFileError& e) {
        EXPECT_TRUE(contains(e.what(), "missing.qnnw:@0: file: cannot open")) << e.what();
    }
}

TEST_F(WeightFileTest, WriterRejectsInvalidParams) {
    auto expect_write_error = [&](const NetworkParams& p, const std::string& field, const std::string& part) {
        try {
            encode_weight_file(cfg, p, "out.qnnw");
            ADD_FAILURE() << field;
        } catch (const WeightFileError& e) {
            EXPECT_EQ(e.field(), field) << e.what();
            EXPECT_TRUE(contains(e.what(), part)) << e.what();
            EXPECT_TRUE(contains(e.what(), "out.qnnw:@")) << e.what();
        }
    };
    NetworkParams p = params;
    p.layers[0].weights[3] = 0;  // binary cannot be 0
    expect_write_error(p, "layers[conv1].weights", "not a valid binary");
    p = params;
    p.layers[0].weights[21] = 2;  // past the first bytes the writer packs eight at a time
    expect_write_error(p, "layers[conv1].weights", "weight 21 = 2 is not a valid binary");
    p = params;
    p.layers[config_index(cfg, "fc1")].weights[0] = -8;  // outside [-7, 7]
    expect_write_error(p, "layers[fc1].weights", "not a valid uniform 4-bit");
    p = params;
    p.layers[0].thresholds[1] = p.layers[0].thresholds[0] - 1;
    expect_write_error(p, "layers[conv1].thresholds", "expected ascending");
    p = params;
    p.layers[0].thresholds.pop_back();
    expect_write_error(p, "layers[conv1].thresholds", "expected 48 thresholds");
    p = params;
    p.layers[2].weights.pop_back();
    expect_write_error(p, "layers[conv2].weights", "expected 1152 weights");
    p = params;
    p.layers[2].shift = 0;
    expect_write_error(p, "layers[conv2].shift", "1..31");
    p = params;
    p.layers[2].layer = "other";
    expect_write_error(p, "layers[conv2].name", "expected 'conv2'");
    p = params;
    p.layers.pop_back();
    expect_write_error(p, "params", "one per config layer");
}

}  // namespace weight_file_invalid_test
}  // namespace qsim
