// What the weight-file, .npy and qnn-weights tests share (weight_file_test.cpp,
// weight_file_invalid_test.cpp, npy_test.cpp, qnn_weights_tool_test.cpp): a fresh directory
// per test, file and little-endian byte helpers, the hand-built test network, an independent
// walk of a file's record layout, and WeightFileTest, the fixture that writes a good file for
// that network. Header-only; everything is inline.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim::weight_file_testing {

namespace fs = std::filesystem;

using testing_support::expect_same;
using testing_support::NetBuilder;

// A fresh, empty directory for one test.
inline fs::path temp_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    fs::path d = fs::temp_directory_path() /
                 ("qsim_wf_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

inline std::vector<uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

inline void write_text(const fs::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::trunc);
    out << s;
}

inline uint32_t get32(const std::vector<uint8_t>& b, size_t at) {
    return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
inline void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}
inline void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = uint8_t(v);
    b[at + 1] = uint8_t(v >> 8);
}
inline void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}
// Recomputes the trailer after an edit, so that the reader gets past the checksum.
inline void fix_crc(std::vector<uint8_t>& b) { put32(b, b.size() - 4, crc32(b.data(), b.size() - 4)); }

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Writes `bytes` to DIR/case.qnnw, reads it back against `c` and checks the error: file name,
// "@offset", field and the expectation text all appear in what().
inline void expect_weight_file_error(const fs::path& dir, const std::vector<uint8_t>& bytes, const NetworkConfig& c,
                                     uint64_t offset, const std::string& field, const std::vector<std::string>& parts) {
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

// The hand-built nets of these tests: float import with ternary eta 0.125 and uniform scale
// 0.5, both exact in float32. The writer stores them in every record, and
// HeaderAndRecordLayout expects the scale 0.5 back.
inline NetBuilder net_builder(int h, int w, int c, int bits = 8) {
    return NetBuilder(h, w, c, bits).float_import(0.125, 0.5);
}

// Compute layers: conv1 (binary, thresholds 2), conv2 (ternary, relu 3), fc1 (uniform 4,
// bipolar), fc2 (binary, thresholds 2), fc3 (uniform 3, none; 450 weight bits -> 6 padding bits).
inline NetworkConfig test_net() { return testing_support::mixed_net(net_builder(8, 8, 3)); }

inline size_t config_index(const NetworkConfig& cfg, const std::string& name) {
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

inline std::vector<Rec> layout(const std::vector<uint8_t>& b) {
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

    void expect_error(const std::vector<uint8_t>& bytes, const NetworkConfig& c, uint64_t offset,
                      const std::string& field, const std::vector<std::string>& parts) {
        expect_weight_file_error(dir, bytes, c, offset, field, parts);
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

}  // namespace qsim::weight_file_testing
