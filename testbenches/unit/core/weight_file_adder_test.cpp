// Tests of the weight-file records of add layers with an activation (docs/weights-format.md,
// "Add layers"): the writer's record layout, the round trip in version 1 and 2, the reader's
// checks of a malformed record (each error names the file, the byte, the field and what was
// expected), the writer's checks of the parameters, and `qnn-weights info`'s listing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "models/network/param_generator.hpp"
#include "models/network/weight_file.hpp"
#include "sim/design/config_loader.hpp"
#include "testbenches/unit/core/weight_file_test_support.hpp"

namespace qsim {
namespace weight_file_adder_test {

using namespace weight_file_testing;

// conv a forks into conv b and the join j; `join_activation` is j's activation ("" for none);
// `b_weights` b's weights section.
NetworkConfig residual_net(const std::string& join_activation, const std::string& b_weights = "{quant: binary}") {
    const std::string yaml =
        "name: r\n"
        "device: {clock_mhz: 100}\n"
        "input: {height: 6, width: 6, channels: 3}\n"
        "layers:\n"
        "  - {name: a, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
        "     activation: {type: thresholds, bits: 2}}\n"
        "  - {name: b, type: conv, kernel: 3, padding: same, filters: 8, weights: " + b_weights + ",\n"
        "     activation: {type: thresholds, bits: 2}}\n"
        "  - {name: j, type: add, inputs: [b, a]" +
        (join_activation.empty() ? std::string() : ", activation: " + join_activation) + "}\n"
        "  - {name: p, type: global_maxpool}\n"
        "  - {name: fc, type: fc, filters: 4, weights: {quant: binary}, activation: {type: none}}\n";
    return parse_network_config(yaml, "r.yaml");
}

class AdderRecord : public ::testing::Test {
protected:
    void SetUp() override { dir = temp_dir(); }
    void TearDown() override { fs::remove_all(dir); }

    void expect_error(const std::vector<uint8_t>& bytes, const NetworkConfig& c, uint64_t offset,
                      const std::string& field, const std::vector<std::string>& parts) {
        expect_weight_file_error(dir, bytes, c, offset, field, parts);
    }
    fs::path dir;
};

TEST_F(AdderRecord, ThresholdsRecordLayoutAndRoundTrip) {
    const NetworkConfig cfg = residual_net("{type: thresholds, bits: 2}");
    const NetworkParams params = generate_params(cfg, 11, 0.0);
    ASSERT_EQ(params.layers[2].thresholds.size(), 8u * 3u);
    const std::vector<uint8_t> b = encode_weight_file(cfg, params);
    EXPECT_EQ(b[8], 1) << "no encoded or SYQ layer: version 1";
    EXPECT_EQ(get32(b, 12), 4u) << "a, b, j and fc have records";
    const std::vector<Rec> recs = layout(b);
    ASSERT_EQ(recs.size(), 4u);
    const Rec& j = recs[2];
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[j.name]), 1), "j");
    EXPECT_EQ(b[j.quant], 4) << "adder";
    EXPECT_EQ(b[j.wbits], 0);
    float scale = 0, eta = 1;
    std::memcpy(&scale, &b[j.scale], 4);
    std::memcpy(&eta, &b[j.eta], 4);
    EXPECT_EQ(scale, 1.0f);
    EXPECT_EQ(eta, 0.0f);
    EXPECT_EQ(b[j.act], 0) << "thresholds";
    EXPECT_EQ(b[j.abits], 2);
    EXPECT_EQ(get32(b, j.n), 8u);
    EXPECT_EQ(get32(b, j.fan_in), 2u) << "two inputs";
    EXPECT_EQ(get32(b, j.packed_bytes), 0u);
    EXPECT_EQ(get32(b, j.packed_bytes + 4), 0u);
    EXPECT_EQ(j.t, j.packed) << "no weight bytes";
    EXPECT_EQ(get32(b, j.t), 3u);
    EXPECT_EQ(j.end, j.thresholds + 8 * 3 * 4);
    for (size_t i = 0; i < 24; ++i)
        EXPECT_EQ(int32_t(get32(b, j.thresholds + 4 * i)), params.layers[2].thresholds[i]) << "threshold " << i;
    EXPECT_EQ(recs[3].start, j.end) << "fc's record follows";

    const NetworkParams back = decode_weight_file(b, cfg, "mem");
    expect_same(params, back);
    EXPECT_EQ(back.layers[2].layer, "j");
    EXPECT_TRUE(back.layers[3].layer.empty()) << "the pool has no record";
}

TEST_F(AdderRecord, ReluAndBipolarRecordsRoundTrip) {
    for (const std::string act : {"{type: relu, bits: 4}", "{type: bipolar}"}) {
        const NetworkConfig cfg = residual_net(act);
        const NetworkParams params = generate_params(cfg, 3, 0.0);
        const std::vector<uint8_t> b = encode_weight_file(cfg, params);
        const std::vector<Rec> recs = layout(b);
        ASSERT_EQ(recs.size(), 4u) << act;
        const Rec& j = recs[2];
        if (act.find("relu") != std::string::npos) {
            EXPECT_EQ(b[j.act], 2);
            EXPECT_EQ(get32(b, j.t), 0u);
            EXPECT_EQ(int32_t(get32(b, j.mul)), params.layers[2].mul);
            EXPECT_EQ(int32_t(get32(b, j.shift)), params.layers[2].shift);
            EXPECT_EQ(j.end, j.bias + 8 * 4 + 8);
        } else {
            EXPECT_EQ(b[j.act], 1);
            EXPECT_EQ(b[j.abits], 1);
            EXPECT_EQ(get32(b, j.t), 1u);
        }
        expect_same(params, decode_weight_file(b, cfg, "mem"));
    }
}

TEST_F(AdderRecord, AVersion2FileGivesTheAdderRecordItsEncodingAndScaleCount) {
    // A ternary layer stored run-length coded makes the file version 2: every record, the
    // adder's too, has weight_encoding after fan_in and scale_count at its end.
    const NetworkConfig cfg = residual_net("{type: thresholds, bits: 2}", "{quant: ternary}");
    const NetworkParams params = generate_params(cfg, 5, 0.5);
    WeightFileOptions o;
    o.encoding = WeightEncoding::RunLength;
    const std::vector<uint8_t> b = encode_weight_file(cfg, params, o);
    ASSERT_EQ(b[8], 2);
    expect_same(params, decode_weight_file(b, cfg, "mem"));
    // j's record: found by its name after b's, written here field by field.
    std::vector<uint8_t> want = {1, 0, 'j', 4, 0};
    for (float f : {1.0f, 0.0f}) {
        uint8_t raw[4];
        std::memcpy(raw, &f, 4);
        want.insert(want.end(), raw, raw + 4);
    }
    want.insert(want.end(), {0, 2, 8, 0, 0, 0, 2, 0, 0, 0, /*encoding*/ 0, /*packed_bytes*/ 0, 0, 0, 0, 0, 0, 0, 0,
                             /*T*/ 3, 0, 0, 0});
    const auto at = std::search(b.begin(), b.end(), want.begin(), want.end());
    ASSERT_NE(at, b.end()) << "the adder record's fields up to T";
    const size_t scale_count = size_t(at - b.begin()) + want.size() + 8 * 3 * 4;
    EXPECT_EQ(get32(b, scale_count), 0u);
}

TEST_F(AdderRecord, TheReaderNamesTheFieldOfAMalformedAdderRecord) {
    const NetworkConfig cfg = residual_net("{type: thresholds, bits: 2}");
    const std::vector<uint8_t> good = encode_weight_file(cfg, generate_params(cfg, 11, 0.0));
    const Rec j = layout(good)[2];
    const Rec a = layout(good)[0];
    auto edited = [&](size_t at, uint8_t v) {
        auto b = good;
        b[at] = v;
        fix_crc(b);
        return b;
    };
    expect_error(edited(j.quant, 0), cfg, j.quant, "layers[j].quant",
                 {"expected adder (an add layer) (from config), file has binary"});
    expect_error(edited(a.quant, 4), cfg, a.quant, "layers[a].quant", {"expected binary (from config), file has adder"});
    expect_error(edited(j.quant, 5), cfg, j.quant, "layers[j].quant", {"invalid code 5", "4 (adder)"});
    expect_error(edited(j.wbits, 1), cfg, j.wbits, "layers[j].weight_bits", {"expected 0 (from config), file has 1"});
    expect_error(edited(j.act, 3), cfg, j.act, "layers[j].activation",
                 {"expected thresholds (from config), file has none"});
    expect_error(edited(j.n, 7), cfg, j.n, "layers[j].n", {"expected 8 (from config), file has 7"});
    expect_error(edited(j.fan_in, 3), cfg, j.fan_in, "layers[j].fan_in", {"expected 2 inputs (from config), file has 3"});
    expect_error(edited(j.packed_bytes, 4), cfg, j.packed_bytes, "layers[j].packed_bytes",
                 {"expected 0 (an adder record has no weights), file has 4"});
    expect_error(edited(j.t, 1), cfg, j.t, "layers[j].thresholds_per_channel", {"expected 3 (from config), file has 1"});
    // Channel 0's second threshold below its first.
    {
        auto b = good;
        put32(b, j.thresholds + 4, get32(b, j.thresholds) - 1);
        fix_crc(b);
        expect_error(b, cfg, j.thresholds + 4, "layers[j].thresholds",
                     {"channel 0: threshold 1", "expected ascending thresholds"});
    }
    // The name, in record order.
    expect_error(edited(j.name, 'k'), cfg, j.name, "layers[2].name", {"expected 'j' (record 2", "file has 'k'"});
    // A config whose add keeps the full sum has no record for it.
    expect_error(good, residual_net(""), 12, "header.layer_count",
                 {"expected 3 (compute layers and requantised add layers in config)", "file has 4"});
    // A file written before add layers had records: the config's j is not in it.
    const NetworkConfig plain = residual_net("");
    std::vector<uint8_t> old = encode_weight_file(plain, generate_params(plain, 11, 0.0));
    expect_error(old, cfg, 12, "header.layer_count", {"expected 4", "file has 3"});
}

TEST_F(AdderRecord, ReluFieldsOfAnAdderRecordAreCheckedAsACompute) {
    const NetworkConfig cfg = residual_net("{type: relu, bits: 4}");
    const std::vector<uint8_t> good = encode_weight_file(cfg, generate_params(cfg, 11, 0.0));
    const Rec j = layout(good)[2];
    auto b = good;
    put32(b, j.mul, 0);
    fix_crc(b);
    expect_error(b, cfg, j.mul, "layers[j].mul", {"expected a multiplier >= 1, file has 0"});
    b = good;
    put32(b, j.shift, 40);
    fix_crc(b);
    expect_error(b, cfg, j.shift, "layers[j].shift", {"expected a shift in 1..31, file has 40"});
}

TEST_F(AdderRecord, TheWriterChecksAnAddLayersParameters) {
    const NetworkConfig cfg = residual_net("{type: thresholds, bits: 2}");
    const NetworkParams good = generate_params(cfg, 11, 0.0);
    auto expect_write_error = [&](const NetworkParams& p, const std::string& field, const std::string& part) {
        try {
            encode_weight_file(cfg, p, "w.qnnw");
            ADD_FAILURE() << "no error for " << field;
        } catch (const WeightFileError& e) {
            EXPECT_EQ(e.field(), field) << e.what();
            EXPECT_TRUE(contains(e.what(), part)) << e.what();
        }
    };
    NetworkParams p = good;
    p.layers[2].thresholds.pop_back();
    expect_write_error(p, "layers[j].thresholds", "expected 24 thresholds (3 per channel), params have 23");
    p = good;
    std::swap(p.layers[2].thresholds[0], p.layers[2].thresholds[2]);
    expect_write_error(p, "layers[j].thresholds", "expected ascending");
    p = good;
    p.layers[2].weights = {1, -1};
    expect_write_error(p, "layers[j].weights", "an add layer has no weights");
    p = good;
    p.layers[2].layer = "x";
    expect_write_error(p, "layers[j].name", "named 'x', expected 'j'");
}

TEST_F(AdderRecord, InfoListsTheAdderRecord) {
    const NetworkConfig cfg = residual_net("{type: relu, bits: 4}");
    const std::string path = (dir / "w.qnnw").string();
    write_weight_file(path, cfg, generate_params(cfg, 11, 0.0));
    const WeightFileSummary s = summarize_weight_file(path);
    ASSERT_TRUE(s.ok()) << s.problem;
    ASSERT_EQ(s.layers.size(), 4u);
    EXPECT_EQ(s.layers[2].name, "j");
    EXPECT_EQ(s.layers[2].quant, 4);
    EXPECT_EQ(s.layers[2].fan_in, 2u);
    const std::string text = format_weight_file_summary(s);
    EXPECT_TRUE(contains(text, "adder, 2 inputs")) << text;
    EXPECT_TRUE(contains(text, "relu 4b *")) << text;
    // The total counts weights only: a's and b's 8 x 27 and 8 x 72, fc's 4 x 8; none for j.
    EXPECT_TRUE(contains(text, "total: " + std::to_string(8 * 27 + 8 * 72 + 4 * 8) + " weights")) << text;
    // A structurally broken adder record is the summary's problem, without a config.
    auto b = read_bytes(path);
    const Rec j = layout(b)[2];
    b[j.act] = 3;
    fix_crc(b);
    write_bytes(path, b);
    const WeightFileSummary bad = summarize_weight_file(path);
    EXPECT_TRUE(contains(bad.problem, "layers[j].activation: an adder record holds the requantisation")) << bad.problem;
}

}  // namespace weight_file_adder_test
}  // namespace qsim
