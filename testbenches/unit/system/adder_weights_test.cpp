// System test of the add layers' weight-file records (docs/weights-format.md, docs/graphs.md):
// configs/resnet_cifar_tiny.yaml, whose second residual sum is requantised by thresholds, run
// with the file `qnn-weights generate` writes gives the outputs of a run with the generator,
// and passes the golden check.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "models/network/weight_file.hpp"
#include "testbenches/unit/system/sim_process.hpp"

namespace qsim {
namespace adder_weights_test {

using testing_support::run_program;
using testing_support::run_sim;
using testing_support::SimRun;

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

// The report text without its `weights` line (the one line the weight source changes).
std::string without_weights_line(const std::string& text) {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        if (line.rfind("weights   ", 0) != 0) out += line + "\n";
        start = end + 1;
    }
    return out;
}

TEST(AdderWeights, TheGeneratedWeightFileOfAResidualNetworkRunsAsTheGenerator) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("qsim_adder_weights_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string config = std::string(QSIM_SOURCE_DIR) + "/configs/resnet_cifar_tiny.yaml";
    const std::string weights = (dir / "w.qnnw").string();
    const SimRun gen = run_program(QSIM_QNN_WEIGHTS, {"generate", "--config", config, "--out", weights});
    ASSERT_EQ(gen.status, 0) << gen.output;
    EXPECT_NE(gen.output.find("1 add layer (requantisation only)"), std::string::npos) << gen.output;
    // b2add (thresholds after its adder) has a record; b1add (the full sum) has none.
    const WeightFileSummary s = summarize_weight_file(weights);
    ASSERT_TRUE(s.ok()) << s.problem;
    int adders = 0;
    for (const auto& l : s.layers) {
        EXPECT_NE(l.name, "b1add");
        if (l.name == "b2add") {
            ++adders;
            EXPECT_EQ(l.quant, 4);
            EXPECT_EQ(l.n, 32u);
            EXPECT_EQ(l.thresholds_per_channel, 3u);
        }
    }
    EXPECT_EQ(adders, 1);

    const std::string with_generator = (dir / "generator.json").string(), with_file = (dir / "file.json").string();
    const SimRun a = run_sim({"--config", config, "--check", "--no-timing", "--report", with_generator});
    const SimRun b = run_sim({"--config", config, "--weights", weights, "--check", "--no-timing", "--report", with_file});
    ASSERT_EQ(a.status, 0) << a.output;
    ASSERT_EQ(b.status, 0) << b.output;
    EXPECT_NE(b.output.find("golden check   PASS"), std::string::npos) << b.output;
    EXPECT_NE(b.output.find("weights   " + weights), std::string::npos) << b.output;
    EXPECT_EQ(without_weights_line(a.output), without_weights_line(b.output));
    const nlohmann::json ja = read_json(with_generator), jb = read_json(with_file);
    EXPECT_EQ(jb["outputs"]["frames"], 3);
    EXPECT_EQ(ja["outputs"], jb["outputs"]) << "the final outputs' CRC-32";
    EXPECT_TRUE(jb["check"]["passed"].get<bool>());
    std::filesystem::remove_all(dir);
}

}  // namespace adder_weights_test
}  // namespace qsim
