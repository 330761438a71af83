// One path from a configuration to a design: every combination the loader rejects is rejected
// with the loader's own message by `sim --set`, `sim --point`, `sim sweep` (an invalid row) and
// `sim fold`, and `--point` never aborts: a point it accepts simulates, one it refuses exits 1
// with the field named. The four combinations are the ones a second derivation once let through:
// a decompressor layer with PE reuse, SYQ pixel scaling with PE reuse, SYQ pixel scaling with
// 4- and 8-bit weights, a decompressor layer given binary weights.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testbenches/unit/system/sim_process.hpp"

namespace qsim {
namespace one_path_test {

namespace fs = std::filesystem;
using testing_support::last_line;
using testing_support::run_sim;

// conv_a: ternary weights decoded by a decompressor; conv_b: binary weights with SYQ pixel-wise
// scaling. With the default params the design is valid.
const char* kConfig = R"(name: one_path
params: { AQ: ternary, AR: 1, BQ: binary, BB: 1, BR: 1 }
device: { clock_mhz: 100 }
input: { height: 8, width: 8, channels: 4, bits: 2 }
layers:
  - name: conv_a
    type: conv
    kernel: 3
    padding: same
    filters: 8
    weights: { quant: "${AQ}" }
    activation: { type: thresholds, bits: 2 }
    decompressor: { encoding: rle }
    reuse: ${AR}
    folding: { pe: 2, simd: 4 }
  - name: conv_b
    type: conv
    kernel: 3
    padding: same
    filters: 8
    weights: { quant: "${BQ}", bits: "${BB}" }
    activation: { type: thresholds, bits: 2 }
    scaling: { granularity: pixel, bits: 8 }
    reuse: ${BR}
    folding: { pe: 2, simd: 4 }
)";

struct Combination {
    const char* what;
    std::map<std::string, std::string> set;  // through the config's params
    const char* axis;                         // the same change as a design point
    const char* value;
    const char* field;                        // the field the loader blames
    const char* message;                      // part of the loader's message
};

const Combination kCombinations[] = {
    {"decompressor with reuse", {{"AR", "2"}}, "conv_a.reuse", "2", "layers[0].decompressor",
     "cannot be combined with PE reuse (reuse 2)"},
    {"pixel scaling with reuse", {{"BR", "2"}}, "conv_b.reuse", "2", "layers[1].scaling",
     "row- and pixel-wise SYQ scaling cannot be combined with PE reuse (reuse 2)"},
    {"pixel scaling with 4-bit weights", {{"BQ", "uniform"}, {"BB", "4"}}, "conv_b.wbits", "4",
     "layers[1].scaling.granularity", "applies to binary and ternary weights (this layer's are uniform)"},
    {"pixel scaling with 8-bit weights", {{"BQ", "uniform"}, {"BB", "8"}}, "conv_b.wbits", "8",
     "layers[1].scaling.granularity", "applies to binary and ternary weights (this layer's are uniform)"},
    {"decompressor with binary weights", {{"AQ", "binary"}}, "conv_a.wbits", "1", "layers[0].decompressor",
     "needs ternary weights"},
};

class OnePath : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("qsim_one_path_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        config_ = (dir_ / "one_path.yaml").string();
        std::ofstream(config_) << kConfig;
    }
    void TearDown() override { fs::remove_all(dir_); }

    static std::vector<std::string> sets(const Combination& c) {
        std::vector<std::string> out;
        for (const auto& [k, v] : c.set) out.insert(out.end(), {"--set", k + "=" + v});
        return out;
    }

    fs::path dir_;
    std::string config_;
};

TEST_F(OnePath, TheBaseDesignIsValid) {
    const auto r = run_sim({"--config", config_, "--frames", "2", "--check"});
    EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(OnePath, EveryPathRejectsWithTheLoadersMessage) {
    for (const Combination& c : kCombinations) {
        SCOPED_TRACE(c.what);
        // The loader, through --set.
        std::vector<std::string> args = {"--config", config_};
        for (const auto& s : sets(c)) args.push_back(s);
        const auto loader = run_sim(args);
        ASSERT_EQ(loader.status, 1) << loader.output;
        const std::string message = last_line(loader.output);
        EXPECT_EQ(message.rfind(config_ + ":", 0), 0u) << message;
        EXPECT_NE(message.find(std::string(": ") + c.field + ": "), std::string::npos) << message;
        EXPECT_NE(message.find(c.message), std::string::npos) << message;

        // --point: the same line, and exit 1 (never an abort).
        const std::string point = std::string(c.axis) + "=" + c.value;
        const auto pointed = run_sim({"--config", config_, "--point", point});
        EXPECT_EQ(pointed.status, 1) << pointed.output;
        EXPECT_EQ(last_line(pointed.output), message);

        // sim sweep: an invalid row with the same reason (the other value of the axis is valid).
        const std::string out = (dir_ / "sweep").string();
        fs::remove_all(out);
        const auto swept = run_sim({"sweep", "--config", config_, "--axis", std::string(c.axis) + "=" + c.value,
                                    "--out", out});
        ASSERT_EQ(swept.status, 0) << swept.output;
        std::ifstream rows_file(out + "/results.json");
        const nlohmann::json rows = nlohmann::json::parse(rows_file);
        ASSERT_EQ(rows.size(), 1u);
        EXPECT_FALSE(rows[0].at("valid").get<bool>());
        EXPECT_EQ(rows[0].at("reason").get<std::string>(), message);

        // sim fold: refuses the design, with the same line.
        args = {"fold", "--config", config_, "--target-fps", "1000", "--no-simulate", "--out", (dir_ / "f.yaml").string()};
        for (const auto& s : sets(c)) args.push_back(s);
        const auto folded = run_sim(args);
        EXPECT_EQ(folded.status, 1) << folded.output;
        EXPECT_EQ(last_line(folded.output), message);
        EXPECT_FALSE(fs::exists(dir_ / "f.yaml"));
    }
}

TEST_F(OnePath, PointNeverAborts) {
    // Accepted: a reused conv layer whose line buffer the derivation sizes for the whole frame.
    const std::string alexnet = std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml";
    const auto reused = run_sim({"--config", alexnet, "--point", "conv1.reuse=2", "--frames", "2"});
    EXPECT_EQ(reused.status, 0) << reused.output;
    // Refused, each with the field named and exit 1: a clock whose run would not fit SystemC's
    // clock (reported at run.frames in the file), a PE the pruned filters cannot round to (at
    // prune), a value of the wrong type, a field of another layer type, a value out of range
    // (these three at the point itself).
    struct Refused {
        std::string point, field;
        bool at_point;
    };
    const std::vector<Refused> refused = {
        {"clock_mhz=0.00001", "run.frames: ", false},
        {"conv2.pe=1000", "layers[1].prune: keeping", false},
        {"conv2.pe=x", "layers[1].folding.pe: expected an integer, got 'x'", true},
        {"pool2.reuse=2", "layers[2].reuse: not allowed for type 'maxpool'", true},
        {"conv1.mmv=0", "layers[0].folding.mmv: must be >= 1 (got 0)", true}};
    for (const auto& c : refused) {
        const auto r = run_sim({"--config", alexnet, "--point", c.point});
        EXPECT_EQ(r.status, 1) << c.point << ": " << r.output;
        const std::string line = last_line(r.output);
        EXPECT_NE(line.find(c.field), std::string::npos) << c.point << ": " << r.output;
        EXPECT_EQ(line.find(alexnet + ": --point " + c.point + ": ") == 0, c.at_point) << line;
    }
    // A name that is no field of the configuration is a usage error.
    const auto unknown = run_sim({"--config", alexnet, "--point", "conv9.pe=2"});
    EXPECT_EQ(unknown.status, 2) << unknown.output;
}

}  // namespace one_path_test
}  // namespace qsim
