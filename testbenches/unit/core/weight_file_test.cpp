// Tests of the weight file format (weight_file.hpp), the .npy reader/writer (npy.hpp) and the
// qnn-weights tool.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "models/common/rng.hpp"
#include "sim/design/config_loader.hpp"
#include "models/network/npy.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/quantizer.hpp"
#include "models/network/weight_file.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------------------------------
// Helpers

// A fresh, empty directory for one test.
fs::path temp_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    fs::path d = fs::temp_directory_path() /
                 ("qsim_wf_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::vector<uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

void write_text(const fs::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::trunc);
    out << s;
}

uint32_t get32(const std::vector<uint8_t>& b, size_t at) {
    return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}
void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = uint8_t(v);
    b[at + 1] = uint8_t(v >> 8);
}
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}
// Recomputes the trailer after an edit, so that the reader gets past the checksum.
void fix_crc(std::vector<uint8_t>& b) { put32(b, b.size() - 4, crc32(b.data(), b.size() - 4)); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

using testing_support::expect_same;
using testing_support::NetBuilder;

// The hand-built nets of these tests: float import with ternary eta 0.125 and uniform scale
// 0.5, both exact in float32. The writer stores them in every record, and
// HeaderAndRecordLayout expects the scale 0.5 back.
NetBuilder net_builder(int h, int w, int c, int bits = 8) {
    return NetBuilder(h, w, c, bits).float_import(0.125, 0.5);
}

// Compute layers: conv1 (binary, thresholds 2), conv2 (ternary, relu 3), fc1 (uniform 4,
// bipolar), fc2 (binary, thresholds 2), fc3 (uniform 3, none; 450 weight bits -> 6 padding bits).
NetworkConfig test_net() { return testing_support::mixed_net(net_builder(8, 8, 3)); }

size_t config_index(const NetworkConfig& cfg, const std::string& name) {
    for (size_t i = 0; i < cfg.layers.size(); ++i)
        if (cfg.layers[i].name == name) return i;
    return size_t(-1);
}

// Byte offsets of the fields of one layer record, found by walking the format independently
// of the reader (docs/weights-format.md).
struct Rec {
    size_t start, name, quant, wbits, scale, eta, act, abits, n, fan_in, packed_bytes, packed, t,
        thresholds, bias, mul, shift, end;
};

std::vector<Rec> layout(const std::vector<uint8_t>& b) {
    std::vector<Rec> recs;
    const uint32_t count = get32(b, 12);
    size_t p = 24;
    for (uint32_t i = 0; i < count; ++i) {
        Rec r{};
        r.start = p;
        const size_t name_len = size_t(b[p]) | size_t(b[p + 1]) << 8;
        r.name = p + 2;
        p = r.name + name_len;
        r.quant = p;
        r.wbits = p + 1;
        r.scale = p + 2;
        r.eta = p + 6;
        r.act = p + 10;
        r.abits = p + 11;
        r.n = p + 12;
        r.fan_in = p + 16;
        r.packed_bytes = p + 20;
        r.packed = p + 28;
        const uint64_t packed = uint64_t(get32(b, r.packed_bytes)) | uint64_t(get32(b, r.packed_bytes + 4)) << 32;
        r.t = r.packed + size_t(packed);
        r.thresholds = r.t + 4;
        p = r.thresholds + 4 * size_t(get32(b, r.n)) * get32(b, r.t);
        if (b[r.act] == 2) {
            r.bias = p;
            r.mul = p + 4 * get32(b, r.n);
            r.shift = r.mul + 4;
            p = r.shift + 4;
        } else {
            r.bias = r.mul = r.shift = 0;
        }
        r.end = p;
        recs.push_back(r);
    }
    return recs;
}

class WeightFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = temp_dir();
        cfg = test_net();
        params = generate_params(cfg, 2024, 0.3);
        good_path = (dir / "good.qnnw").string();
        write_weight_file(good_path, cfg, params);
        good = read_bytes(good_path);
        recs = layout(good);
        ASSERT_EQ(recs.size(), 5u);
    }
    void TearDown() override { fs::remove_all(dir); }

    // Writes `bytes`, reads it back against `c` and checks the error: file name, "@offset",
    // field and the expectation text all appear in what().
    void expect_error(const std::vector<uint8_t>& bytes, const NetworkConfig& c, uint64_t offset,
                      const std::string& field, const std::vector<std::string>& parts) {
        const std::string path = (dir / "case.qnnw").string();
        write_bytes(path, bytes);
        try {
            read_weight_file(path, c);
            ADD_FAILURE() << "no error for field " << field;
        } catch (const WeightFileError& e) {
            const std::string w = e.what();
            EXPECT_EQ(e.file(), path) << w;
            EXPECT_EQ(e.offset(), offset) << w;
            EXPECT_EQ(e.field(), field) << w;
            EXPECT_EQ(w.rfind(path + ":@" + std::to_string(offset) + ": " + field + ": ", 0), 0u) << w;
            for (const auto& p : parts) EXPECT_TRUE(contains(w, p)) << "'" << p << "' not in: " << w;
        }
    }
    void expect_error(const std::vector<uint8_t>& bytes, uint64_t offset, const std::string& field,
                      const std::vector<std::string>& parts) {
        expect_error(bytes, cfg, offset, field, parts);
    }

    fs::path dir;
    NetworkConfig cfg;
    NetworkParams params;
    std::string good_path;
    std::vector<uint8_t> good;
    std::vector<Rec> recs;  // conv1, conv2, fc1, fc2, fc3
};

// ------------------------------------------------------------------------------------------
// CRC and round trip

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

// ------------------------------------------------------------------------------------------
// Every kind of invalid file

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
    expect_error(good, c, 12, "header.layer_count", {"expected 4 (compute layers in config)", "file has 5"});
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

// ------------------------------------------------------------------------------------------
// .npy reader / writer

// Builds .npy bytes with an arbitrary header text.
std::vector<uint8_t> npy_bytes(const std::string& header, const std::vector<uint8_t>& data, int major = 1) {
    std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
    const size_t n = header.size();
    b.push_back(uint8_t(n));
    b.push_back(uint8_t(n >> 8));
    if (major >= 2) {
        b.push_back(uint8_t(n >> 16));
        b.push_back(uint8_t(n >> 24));
    }
    b.insert(b.end(), header.begin(), header.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

void expect_npy_error(const std::vector<uint8_t>& bytes, uint64_t offset, const std::vector<std::string>& parts) {
    try {
        parse_npy(bytes, "t.npy");
        ADD_FAILURE() << "no error";
    } catch (const NpyError& e) {
        const std::string w = e.what();
        EXPECT_EQ(e.offset(), offset) << w;
        EXPECT_EQ(w.rfind("t.npy:@" + std::to_string(offset) + ": ", 0), 0u) << w;
        for (const auto& p : parts) EXPECT_TRUE(contains(w, p)) << "'" << p << "' not in: " << w;
    }
}

TEST(Npy, WriteReadRoundTripFloat32) {
    const fs::path d = temp_dir();
    const std::string path = (d / "a.npy").string();
    std::vector<float> v = {1.5f, -2.25f, 0.0f, 3e-8f, 1e30f, -7.0f};
    write_npy_f32(path, {2, 3}, v);
    const NpyArray a = read_npy(path);
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(a.dtype, NpyDtype::F4);
    ASSERT_EQ(a.size(), 6u);
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(a.values[i], double(v[i]));
    EXPECT_EQ(a.data_offset % 64, 0u);
    EXPECT_EQ(a.shape_string(), "(2, 3)");
    fs::remove_all(d);
}

TEST(Npy, EveryDtypeRoundTrips) {
    const std::vector<double> v = {0, 1, -1, 100, -100, 127, -128};
    for (NpyDtype t : {NpyDtype::F4, NpyDtype::F8, NpyDtype::I1, NpyDtype::I2, NpyDtype::I4, NpyDtype::I8}) {
        const NpyArray a = parse_npy(make_npy({7}, v, t), "x.npy");
        EXPECT_EQ(a.values, v) << npy_descr(t);
        EXPECT_EQ(a.dtype, t);
        EXPECT_EQ(a.shape_string(), "(7,)");
    }
    const std::vector<double> u = {0, 1, 255, 42};
    EXPECT_EQ(parse_npy(make_npy({2, 2}, u, NpyDtype::U1), "u.npy").values, u);
    const std::vector<double> big = {2147483647.0, -2147483648.0, 1e15, -3.0};
    EXPECT_EQ(parse_npy(make_npy({4}, big, NpyDtype::I8), "b.npy").values, big);
    EXPECT_THROW(make_npy({2}, {1, 2, 3}, NpyDtype::F4), std::invalid_argument);
    EXPECT_THROW(make_npy({1}, {300}, NpyDtype::I1), std::invalid_argument);
}

TEST(Npy, HandWrittenHeaderVariants) {
    // Version 1.0, double quotes, keys in another order, no trailing comma, little endian i2.
    auto a = parse_npy(npy_bytes("{\"shape\": (2,2), \"fortran_order\": False, \"descr\": \"<i2\"}\n",
                                 {1, 0, 0xFF, 0xFF, 0x00, 0x80, 0x34, 0x12}),
                       "h.npy");
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 2}));
    EXPECT_EQ(a.values, (std::vector<double>{1, -1, -32768, 0x1234}));
    // Version 2.0 (4-byte header length) with a 0-d array.
    a = parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }      \n",
                            {0, 0, 0, 0, 0, 0, 0xF8, 0x3F}, 2),
                  "v2.npy");
    EXPECT_TRUE(a.shape.empty());
    EXPECT_EQ(a.values, (std::vector<double>{1.5}));
    EXPECT_EQ(a.shape_string(), "()");
    // Version 3.0, Python 2 long suffix, an empty array.
    a = parse_npy(npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3L, 0L), }\n", {}, 3), "v3.npy");
    EXPECT_EQ(a.shape, (std::vector<size_t>{3, 0}));
    EXPECT_TRUE(a.values.empty());
    // Signed bytes.
    a = parse_npy(npy_bytes("{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }\n", {0x80, 0x7F, 0xFE}), "i.npy");
    EXPECT_EQ(a.values, (std::vector<double>{-128, 127, -2}));
}

TEST(Npy, MalformedFilesNameOffsetAndExpectation) {
    const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    const std::vector<uint8_t> d8(8, 0);
    // Bad magic.
    auto b = npy_bytes(h, d8);
    b[2] = 'X';
    expect_npy_error(b, 2, {"bad magic", "expected \\x93NUMPY"});
    expect_npy_error({0x93, 'N', 'U'}, 3, {"truncated", "magic"});
    // Unsupported version.
    b = npy_bytes(h, d8);
    b[6] = 4;
    expect_npy_error(b, 6, {"unsupported format version 4.0", "expected 1.0, 2.0 or 3.0"});
    // Truncated header length and header.
    expect_npy_error(std::vector<uint8_t>(b.begin(), b.begin() + 7), 6, {"truncated", "version"});
    b = npy_bytes(h, d8);
    expect_npy_error(std::vector<uint8_t>(b.begin(), b.begin() + 9), 8, {"truncated", "header length"});
    expect_npy_error(std::vector<uint8_t>(b.begin(), b.begin() + 30), 10,
                     {"truncated header", "expected " + std::to_string(h.size()) + " header bytes", "file has 20"});
    // Unsupported dtypes.
    expect_npy_error(npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", d8), 20,
                     {"unsupported dtype '>f4'", "expected one of <f4, <f8"});
    expect_npy_error(npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", d8), 20,
                     {"unsupported dtype '<c8'"});
    expect_npy_error(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", d8), 20,
                     {"structured dtypes are not supported"});
    // Fortran order.
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", d8), 10,
                     {"fortran_order is True", "expected a C-order"});
    // Truncated data and extra data.
    expect_npy_error(npy_bytes(h, std::vector<uint8_t>(6, 0)), 10 + h.size() + 6,
                     {"truncated data", "expected 8 bytes", "(2,)", "file has 6"});
    expect_npy_error(npy_bytes(h, std::vector<uint8_t>(12, 0)), 10 + h.size() + 8,
                     {"shape/size mismatch", "needs 8 data bytes, file has 12"});
    // Broken dictionaries.
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False}\n", d8), 10, {"no 'shape' key"});
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }\n", d8),
                     10 + 54, {"expected a non-negative integer dimension", "'x'"});
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }\n", d8),
                     10 + 34, {"expected True or False"});
    expect_npy_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", d8),
                     10 + 56, {"unexpected header key 'x'"});
    expect_npy_error(npy_bytes("['descr']\n", d8), 10, {"expected '{'"});
    // Missing file.
    try {
        read_npy("/nonexistent/dir/w.npy");
        ADD_FAILURE();
    } catch (const NpyError& e) {
        EXPECT_TRUE(contains(e.what(), "/nonexistent/dir/w.npy:@0: cannot open")) << e.what();
    }
}

// The first python3 on this machine that has numpy, or "" if none.
std::string python_with_numpy() {
    for (const char* py : {"python3", "/usr/bin/python3"}) {
        std::string cmd = std::string(py) + " -c 'import numpy' >/dev/null 2>&1";
        if (std::system(cmd.c_str()) == 0) return py;
    }
    return "";
}

TEST(Npy, ReadsFilesWrittenByNumpy) {
    const std::string py = python_with_numpy();
    if (py.empty()) GTEST_SKIP() << "python3 with numpy is not installed";
    const fs::path d = temp_dir();
    const std::string script =
        "import numpy as np, sys\n"
        "d = sys.argv[1]\n"
        "a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3\n"
        "np.save(d + '/f4.npy', a)\n"
        "np.save(d + '/f8.npy', np.array([[1.25, -2.5], [1e300, -0.0]]))\n"
        "for t in ['i1', 'i2', 'i4', 'i8', 'u1']:\n"
        "    np.save(d + '/' + t + '.npy', np.array([0, 1, 2, 100, 127], dtype=t) * (1 if t == 'u1' else -1))\n"
        "np.save(d + '/scalar.npy', np.float32(7.5))\n"
        "np.save(d + '/fortran.npy', np.asfortranarray(np.ones((3, 2), dtype=np.float32)))\n"
        "np.save(d + '/big.npy', np.array([1.0], dtype='>f4'))\n"
        "np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.array([5, 6], dtype='<i4'), version=(2, 0))\n"
        "np.lib.format.write_array(open(d + '/v3.npy', 'wb'), np.array([7, 8], dtype='<i4'), version=(3, 0))\n";
    write_text(d / "gen.py", script);
    ASSERT_EQ(std::system((py + " " + (d / "gen.py").string() + " " + d.string()).c_str()), 0);

    NpyArray a = read_npy((d / "f4.npy").string());
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3, 4}));
    for (size_t i = 0; i < 24; ++i) EXPECT_EQ(a.values[i], double(i) * 0.5 - 3);
    a = read_npy((d / "f8.npy").string());
    EXPECT_EQ(a.values, (std::vector<double>{1.25, -2.5, 1e300, -0.0}));
    for (const char* t : {"i1", "i2", "i4", "i8"})
        EXPECT_EQ(read_npy((d / (std::string(t) + ".npy")).string()).values,
                  (std::vector<double>{0, -1, -2, -100, -127}))
            << t;
    EXPECT_EQ(read_npy((d / "u1.npy").string()).values, (std::vector<double>{0, 1, 2, 100, 127}));
    a = read_npy((d / "scalar.npy").string());
    EXPECT_TRUE(a.shape.empty());
    EXPECT_EQ(a.values, (std::vector<double>{7.5}));
    EXPECT_EQ(read_npy((d / "v2.npy").string()).values, (std::vector<double>{5, 6}));
    EXPECT_EQ(read_npy((d / "v3.npy").string()).values, (std::vector<double>{7, 8}));
    try {
        read_npy((d / "fortran.npy").string());
        ADD_FAILURE();
    } catch (const NpyError& e) {
        EXPECT_TRUE(contains(e.what(), "fortran_order is True")) << e.what();
    }
    try {
        read_npy((d / "big.npy").string());
        ADD_FAILURE();
    } catch (const NpyError& e) {
        EXPECT_TRUE(contains(e.what(), "unsupported dtype '>f4'")) << e.what();
    }

    // And numpy reads what we write.
    write_npy_f32((d / "ours.npy").string(), {2, 2}, {1.5f, -2.0f, 0.25f, 8.0f});
    write_npy((d / "ours_i4.npy").string(), {3}, {-5, 0, 70000}, NpyDtype::I4);
    write_text(d / "check.py",
               "import numpy as np, sys\n"
               "a = np.load(sys.argv[1] + '/ours.npy')\n"
               "assert a.dtype == np.float32 and a.shape == (2, 2), (a.dtype, a.shape)\n"
               "assert a.tolist() == [[1.5, -2.0], [0.25, 8.0]], a\n"
               "b = np.load(sys.argv[1] + '/ours_i4.npy')\n"
               "assert b.dtype == np.int32 and b.tolist() == [-5, 0, 70000], b\n");
    EXPECT_EQ(std::system((py + " " + (d / "check.py").string() + " " + d.string()).c_str()), 0);
    fs::remove_all(d);
}

// ------------------------------------------------------------------------------------------
// The qnn-weights tool

struct RunResult {
    int status = -1;
    std::string output;  // stdout + stderr
};

RunResult run_tool(const std::string& args, const std::string& stderr_file = "") {
    std::string cmd = std::string(QSIM_QNN_WEIGHTS) + " " + args +
                      (stderr_file.empty() ? " 2>&1" : " 2>" + stderr_file);
    RunResult r;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) r.output.append(buf, n);
    const int st = ::pclose(f);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const char* const kToolYaml = R"(name: tiny
params:
  F1: 8
device:
  name: generic
  clock_mhz: 100
input:
  height: 6
  width: 6
  channels: 3
  bits: 8
weights:
  generator:
    seed: 7
    sparsity: 0.25
layers:
  - name: conv1
    type: conv
    kernel: 3
    filters: ${F1}
    weights: {quant: binary}
    activation: {type: thresholds, bits: 2}
  - name: pool1
    type: maxpool
    kernel: 2
  - name: fc1
    type: fc
    filters: 16
    weights: {quant: ternary, threshold: 0.25}
    activation: {type: relu, bits: 4}
  - name: fc2
    type: fc
    filters: 8
    weights: {quant: uniform, bits: 4, scale: 0.125}
    activation: {type: bipolar}
  - name: fc3
    type: fc
    filters: 4
    weights: {quant: binary}
    activation: {type: none}
)";

class ToolTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = temp_dir();
        yaml = (dir / "net.yaml").string();
        write_text(yaml, kToolYaml);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string path(const std::string& name) const { return (dir / name).string(); }

    fs::path dir;
    std::string yaml;
};

TEST_F(ToolTest, UsageErrorsExitWith2) {
    EXPECT_EQ(run_tool("").status, 2);
    RunResult r = run_tool("frobnicate");
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.output, "unknown command 'frobnicate'")) << r.output;
    EXPECT_TRUE(contains(r.output, "usage:")) << r.output;
    EXPECT_EQ(run_tool("generate --config " + yaml).status, 2);                  // no --out
    EXPECT_EQ(run_tool("generate --out x.qnnw").status, 2);                      // no --config
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --seed abc").status, 2);
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --sparsity 1.5").status, 2);
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --set F1").status, 2);
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --bogus 1").status, 2);
    EXPECT_EQ(run_tool("from-npy --config " + yaml + " --out " + path("w")).status, 2);  // no --npy-dir
    EXPECT_EQ(run_tool("info").status, 2);
    EXPECT_EQ(run_tool("info a b").status, 2);
    EXPECT_EQ(run_tool("--help").status, 0);
}

TEST_F(ToolTest, GenerateMatchesGeneratorAndDefaultsFromConfig) {
    const NetworkConfig cfg = load_network_config(yaml);
    RunResult r = run_tool("generate --config " + yaml + " --out " + path("w.qnnw"));
    ASSERT_EQ(r.status, 0) << r.output;
    expect_same(read_weight_file(path("w.qnnw"), cfg), generate_params(cfg, 7, 0.25));

    r = run_tool("generate --config " + yaml + " --out " + path("w9.qnnw") + " --seed 9 --sparsity=0.5");
    ASSERT_EQ(r.status, 0) << r.output;
    expect_same(read_weight_file(path("w9.qnnw"), cfg), generate_params(cfg, 9, 0.5));

    r = run_tool("generate --config " + yaml + " --out " + path("w16.qnnw") + " --set F1=16");
    ASSERT_EQ(r.status, 0) << r.output;
    const NetworkConfig cfg16 = load_network_config(yaml, {{"F1", "16"}});
    EXPECT_EQ(cfg16.layers[0].out.channels, 16);
    expect_same(read_weight_file(path("w16.qnnw"), cfg16), generate_params(cfg16, 7, 0.25));
    // The file made for F1=16 does not match the F1=8 config.
    EXPECT_THROW(read_weight_file(path("w16.qnnw"), cfg), WeightFileError);
}

TEST_F(ToolTest, ConfigErrorsExitWith1) {
    RunResult r = run_tool("generate --config " + path("missing.yaml") + " --out " + path("w.qnnw"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "missing.yaml")) << r.output;
    r = run_tool("generate --config " + yaml + " --out " + path("w.qnnw") + " --set NOPE=3");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "NOPE")) << r.output;
}

TEST_F(ToolTest, InfoReportsLayersAndChecksum) {
    ASSERT_EQ(run_tool("generate --config " + yaml + " --out " + path("w.qnnw")).status, 0);
    RunResult r = run_tool("info " + path("w.qnnw"));
    EXPECT_EQ(r.status, 0) << r.output;
    for (const char* s : {"conv1", "fc1", "fc2", "fc3", "OK", "thresholds", "relu"})
        EXPECT_TRUE(contains(r.output, s)) << s << " not in:\n" << r.output;

    auto b = read_bytes(path("w.qnnw"));
    b[b.size() / 2] ^= 0xFF;
    write_bytes(path("bad.qnnw"), b);
    r = run_tool("info " + path("bad.qnnw"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "BAD")) << r.output;

    write_text(dir / "junk.qnnw", "not a weight file at all");
    r = run_tool("info " + path("junk.qnnw"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "junk.qnnw:@0: header.magic")) << r.output;
}

TEST_F(ToolTest, FromNpyQuantisesAndFillsMissingActivations) {
    const NetworkConfig cfg = load_network_config(yaml);
    const fs::path npy = dir / "npy";
    fs::create_directories(npy);
    Rng rng(5);
    std::map<std::string, std::vector<int8_t>> expected_w;
    for (const auto& L : cfg.layers) {
        if (!L.is_compute()) continue;
        const size_t n = size_t(L.out.channels), fan_in = size_t(L.fan_in());
        std::vector<float> w(n * fan_in);
        for (auto& x : w) x = float(rng.uniform() * 2.4 - 1.2);
        // conv1 as [N, ky, kx, c]; the others as [N, fan_in].
        std::vector<size_t> shape = L.type == LayerType::Conv
                                        ? std::vector<size_t>{n, size_t(L.kernel), size_t(L.kernel), size_t(L.in.channels)}
                                        : std::vector<size_t>{n, fan_in};
        write_npy_f32((npy / (L.name + ".weights.npy")).string(), shape, w);
        expected_w[L.name] = quantize_weights(w, L.weights);
    }
    // conv1 thresholds from a file (int32, [N, 3]); fc2 (bipolar) analytic; fc1 bias from a
    // float file (rounded half away from zero), mul/shift analytic.
    std::vector<double> thr;
    for (int n = 0; n < 8; ++n)
        for (int j = 0; j < 3; ++j) thr.push_back(n * 100 - 50 + j * 40);
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 3}, thr, NpyDtype::I4);
    std::vector<float> bias;
    for (int n = 0; n < 16; ++n) bias.push_back(float(n) - 7.5f);
    write_npy_f32((npy / "fc1.bias.npy").string(), {16}, bias);

    const std::string err = path("stderr.txt");
    RunResult r = run_tool("from-npy --config " + yaml + " --npy-dir " + npy.string() + " --out " + path("n.qnnw"), err);
    ASSERT_EQ(r.status, 0) << r.output << read_text(err);
    const std::string log = read_text(err);
    EXPECT_TRUE(contains(log, "fc2") && contains(log, "analytic thresholds")) << log;
    EXPECT_TRUE(contains(log, "fc1") && contains(log, "fc1.requant.npy")) << log;
    EXPECT_FALSE(contains(log, "conv1")) << log;

    const NetworkParams p = read_weight_file(path("n.qnnw"), cfg);
    for (size_t l = 0; l < cfg.layers.size(); ++l)
        if (cfg.layers[l].is_compute()) {
            EXPECT_EQ(p.layers[l].weights, expected_w[cfg.layers[l].name]) << l;
        }
    EXPECT_EQ(p.layers[0].thresholds, std::vector<int32_t>(thr.begin(), thr.end()));
    const size_t fc1 = config_index(cfg, "fc1"), fc2 = config_index(cfg, "fc2");
    std::vector<int32_t> want_bias;
    for (int n = 0; n < 16; ++n) want_bias.push_back(int32_t(std::round(double(n) - 7.5)));
    EXPECT_EQ(p.layers[fc1].bias, want_bias);
    EXPECT_EQ(want_bias[0], -8);  // -7.5 rounds away from zero
    const std::vector<ValueModel> models = input_value_models(cfg, p);
    int32_t mul = 0, shift = 0;
    analytic_relu_scale(cfg.layers[fc1], accumulator_model(cfg.layers[fc1], p.layers[fc1].weights, models[fc1]),
                        want_bias, mul, shift);
    EXPECT_EQ(p.layers[fc1].mul, mul);
    EXPECT_EQ(p.layers[fc1].shift, shift);
    LayerParams a2 = p.layers[fc2];
    fill_analytic_activation(cfg.layers[fc2], models[fc2], a2);
    EXPECT_EQ(p.layers[fc2].thresholds, a2.thresholds);
    ASSERT_EQ(p.layers[fc2].thresholds.size(), 8u);

    // With thresholds and requant files the tool uses them.
    write_npy((npy / "fc2.thresholds.npy").string(), {8, 1}, {-3.5, 0, 1, 2, 3, 4, 5, 6.4}, NpyDtype::F8);
    write_npy((npy / "fc1.requant.npy").string(), {2}, {3, 5}, NpyDtype::I8);
    r = run_tool("from-npy --config " + yaml + " --npy-dir " + npy.string() + " --out " + path("m.qnnw"), err);
    ASSERT_EQ(r.status, 0) << r.output << read_text(err);
    const NetworkParams q = read_weight_file(path("m.qnnw"), cfg);
    EXPECT_EQ(q.layers[fc2].thresholds, (std::vector<int32_t>{-4, 0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(q.layers[fc1].mul, 3);
    EXPECT_EQ(q.layers[fc1].shift, 5);
    EXPECT_EQ(read_text(err), "");
}

TEST_F(ToolTest, FromNpyErrorsExitWith1) {
    const NetworkConfig cfg = load_network_config(yaml);
    const fs::path npy = dir / "npy";
    fs::create_directories(npy);
    const std::string cmd = "from-npy --config " + yaml + " --npy-dir " + npy.string() + " --out " + path("n.qnnw");
    // Missing weights file.
    RunResult r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, (npy / "conv1.weights.npy").string() + ":@0: cannot open")) << r.output;
    for (const auto& L : cfg.layers) {
        if (!L.is_compute()) continue;
        const size_t n = size_t(L.out.channels), fan_in = size_t(L.fan_in());
        write_npy_f32((npy / (L.name + ".weights.npy")).string(), {n, fan_in}, std::vector<float>(n * fan_in, 0.5f));
    }
    ASSERT_EQ(run_tool(cmd).status, 0);
    // Wrong shape.
    write_npy_f32((npy / "fc1.weights.npy").string(), {16, 31}, std::vector<float>(16 * 31, 0.5f));
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "fc1.weights.npy:@10: shape (16, 31): expected [N, ...] with N = 16")) << r.output;
    write_npy_f32((npy / "fc1.weights.npy").string(), {16, 32}, std::vector<float>(16 * 32, 0.5f));
    // Thresholds not ascending.
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 3}, std::vector<double>(24, 0.0), NpyDtype::I4);
    std::vector<double> t(24, 0.0);
    t[4] = -1;
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 3}, t, NpyDtype::I4);
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "conv1.thresholds.npy:@") && contains(r.output, "expected ascending")) << r.output;
    // Wrong threshold shape.
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 2}, std::vector<double>(16, 0.0), NpyDtype::I4);
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "expected (8, 3)")) << r.output;
    fs::remove(npy / "conv1.thresholds.npy");
    // Corrupt npy.
    write_text(npy / "fc3.weights.npy", "garbage");
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "fc3.weights.npy:@0: bad magic")) << r.output;
}

}  // namespace
}  // namespace qsim
