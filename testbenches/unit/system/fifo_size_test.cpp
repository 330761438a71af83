// System tests of `sim fifo-size` (docs/graphs.md): the shipped residual network and a single
// residual block sized for their bottleneck run at its rate, one row less on the skip FIFO
// stalls them; a block sized for a slower target gets the skip FIFO its latency needs, and one
// row less deadlocks with the diagnosis naming that FIFO and the field to change.
#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/design/config_loader.hpp"
#include "testbenches/unit/system/sim_process.hpp"

namespace qsim {
namespace fifo_size_test {

using testing_support::SimRun;

// `sim` with the words of `args` (split at spaces; none of the paths here has one).
SimRun sim(const std::string& args) {
    std::vector<std::string> words;
    std::istringstream in(args);
    for (std::string w; in >> w;) words.push_back(w);
    return testing_support::run_sim(words);
}

const char* kBlock = R"(name: residual_block
device: { name: generic, clock_mhz: 200 }
input: { height: 8, width: 8, channels: 8, bits: 2, stream_bits: 16, seed: 3 }
weights: { generator: { seed: 4 } }
run: { frames: 4 }
layers:
  - { name: stem, type: conv, kernel: 3, padding: same, filters: 8, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 8 } }
  - { name: c1, type: conv, kernel: 3, padding: same, filters: 8, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 8 } }
  - { name: c2, type: conv, kernel: 3, padding: same, filters: 8, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 8 } }
  - { name: join, type: add, inputs: [c2, stem] }
)";

class FifoSize : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("qsim_fifo_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name)) << text;
        return path(name);
    }
    // The interval `sim` reports for `config` with `point` applied (0 when it stops).
    uint64_t interval(const std::string& config, const std::string& point, SimRun* out = nullptr) const {
        const std::string report = path("r.json");
        std::filesystem::remove(report);
        std::vector<std::string> args = {"--config", config, "--frames", "4", "--report", report};
        if (!point.empty()) args.insert(args.end(), {"--point", point});
        const SimRun r = testing_support::run_sim(args);
        if (out) *out = r;
        if (r.status != 0) return 0;
        std::ifstream f(report);
        return nlohmann::json::parse(f).at("performance").at("interval_cycles").get<uint64_t>();
    }
    // The depth of `layer`'s input k in a sized configuration.
    static int branch_depth(const std::string& config, const std::string& layer, size_t k) {
        const NetworkConfig net = load_network_config(config);
        const LayerConfig* l = net.find_layer(layer);
        EXPECT_NE(l, nullptr);
        return l && k < l->input_fifo_depths.size() ? l->input_fifo_depths[k] : -1;
    }
    std::filesystem::path dir_;
};

TEST_F(FifoSize, TheShippedResidualNetworkSizedForItsBottleneckRunsAtItsRate) {
    const std::string sized = path("sized.yaml");
    const SimRun r = sim("fifo-size --config " QSIM_SOURCE_DIR "/configs/resnet_cifar_tiny.yaml --jobs 2 --out " + sized);
    ASSERT_EQ(r.status, 0) << r.output;
    // Both methods side by side, each re-simulated, and their FIFO memory totals.
    EXPECT_NE(r.output.find("deep method's depths re-simulated:      9,216 cycles per frame"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("minimising method's depths re-simulated: 9,216 cycles per frame"), std::string::npos);
    EXPECT_NE(r.output.find("total FIFO resources: deep "), std::string::npos);
    EXPECT_NE(r.output.find("stem -> b1add"), std::string::npos);
    // The skip FIFO gets the six rows the system tests of Graph.* find by hand.
    const int skip = branch_depth(sized, "b1add", 1);
    EXPECT_EQ(skip, 6);
    EXPECT_EQ(interval(sized, ""), 9216u);
    const uint64_t shallower = interval(sized, "b1add.input_fifo_depths=[0 " + std::to_string(skip - 1) + "]");
    EXPECT_GT(shallower, 9216u);
}

TEST_F(FifoSize, ABlockSizedForASlowerTargetDeadlocksOneRowShortOfItsSkipFifo) {
    const std::string block = write("block.yaml", kBlock);
    // At its bottleneck (576 cycles a frame) the skip FIFO must hold six rows; five stall it.
    const std::string fast = path("fast.yaml");
    SimRun r = sim("fifo-size --config " + block + " --jobs 2 --out " + fast);
    ASSERT_EQ(r.status, 0) << r.output;
    const int rate_skip = branch_depth(fast, "join", 1);
    EXPECT_EQ(interval(fast, ""), 576u);
    EXPECT_GT(interval(fast, "join.input_fifo_depths=[0 " + std::to_string(rate_skip - 1) + "]"), 576u);
    // At 90,000 frames/s (2,223 cycles a frame, the input paced at it) the skip FIFO needs only
    // what the path's latency needs; one row less and the join never gets its first row.
    const std::string slow = path("slow.yaml");
    r = sim("fifo-size --config " + block + " --target-fps 90000 --jobs 2 --out " + slow);
    ASSERT_EQ(r.status, 0) << r.output;
    const int latency_skip = branch_depth(slow, "join", 1);
    EXPECT_LT(latency_skip, rate_skip);
    EXPECT_GT(interval(slow, ""), 0u);
    SimRun stopped;
    EXPECT_EQ(interval(slow, "join.input_fifo_depths=[0 " + std::to_string(latency_skip - 1) + "]", &stopped), 0u);
    EXPECT_EQ(stopped.status, 3) << stopped.output;
    EXPECT_NE(stopped.output.find("reconvergent paths: the join 'join'"), std::string::npos) << stopped.output;
    EXPECT_NE(stopped.output.find("accel.stem_fork_to_join"), std::string::npos) << stopped.output;
    EXPECT_NE(stopped.output.find("layers[3].input_fifo_depths[1]"), std::string::npos) << stopped.output;
}

TEST_F(FifoSize, APacedInputSetsTheIntervalAndTheReportSaysSo) {
    const std::string block = write("block.yaml", kBlock);
    SimRun r;
    EXPECT_EQ(interval(block, "", &r), 2016u);  // the default two-row skip FIFO stalls it
    const std::string report = path("paced.json");
    r = sim("--config " + block + " --frames 4 --input-interval 3000 --report " + report);
    ASSERT_EQ(r.status, 0) << r.output;
    std::ifstream f(report);
    const nlohmann::json j = nlohmann::json::parse(f);
    EXPECT_EQ(j.at("performance").at("interval_cycles").get<uint64_t>(), 3000u);
    EXPECT_NE(j.at("performance").at("bottleneck").at("reason").get<std::string>().find(
                  "the input is paced at a frame every 3000 cycles"),
              std::string::npos);
    EXPECT_EQ(j.at("input_fifo").at("depth_rows").get<int>(), 2);
    r = sim("--config " + block + " --input-interval 0");
    EXPECT_EQ(r.status, 2) << r.output;
}

TEST_F(FifoSize, ATimingOnlyRunKeepsEveryCycleAndSaysItComputedNoValues) {
    // The shipped residual network with a 4-row skip FIFO (it stalls: the timing is not trivial).
    const std::string config = QSIM_SOURCE_DIR "/configs/resnet_cifar_tiny.yaml";
    const std::string point = "b1add.input_fifo_depths=[0 4]";
    const uint64_t bit_true = interval(config, point);
    const std::string report = path("t.json");
    const SimRun r = testing_support::run_sim(
        {"--config", config, "--frames", "4", "--timing-only", "--point", point, "--report", report});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("(timing only: no values computed)"), std::string::npos);
    std::ifstream f(report);
    const nlohmann::json j = nlohmann::json::parse(f);
    EXPECT_TRUE(j.at("timing_only").get<bool>());
    EXPECT_GT(bit_true, 9216u);
    EXPECT_EQ(j.at("performance").at("interval_cycles").get<uint64_t>(), bit_true);
    EXPECT_EQ(testing_support::run_sim({"--config", config, "--timing-only", "--check"}).status, 2);
}

TEST_F(FifoSize, ATargetTheBottleneckCannotReachAndBadOptionsAreRefused) {
    const std::string block = write("block.yaml", kBlock);
    SimRun r = sim("fifo-size --config " + block + " --target-fps 400000 --out " + path("x.yaml"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("faster than the design can run with any FIFOs: 576 cycles per frame"), std::string::npos)
        << r.output;
    EXPECT_FALSE(std::filesystem::exists(path("x.yaml")));
    r = sim("fifo-size --config " + block + " --method smallest --out " + path("x.yaml"));
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("--method must be minimal or deep"), std::string::npos) << r.output;
    r = sim("fifo-size --config " + block);
    EXPECT_EQ(r.status, 2) << r.output;
    r = sim("fifo-size --config " + block + " --out " + block);
    EXPECT_EQ(r.status, 2) << r.output;
}

}  // namespace fifo_size_test
}  // namespace qsim
