// System tests of a data-set run (`sim --dataset`) with the configuration's `output` section and
// with `--expect`: the committed Fashion-MNIST MLP (configs/trained/fmnist_mlp_w1a2.yaml)
// predicts its reference classes from the raw outputs; an order-keeping dequantisation keeps
// them, a per-channel offset that moves the arg max changes them (exit 4), and the outputs of
// the data set's images equal the golden reference's, given as --expect. And the class
// evaluate_dataset() takes from the dequantised outputs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/dataset/idx_dataset.hpp"
#include "models/network/npy.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/dataset_eval.hpp"
#include "sim/runner/simulation.hpp"
#include "testbenches/unit/system/sim_process.hpp"

namespace qsim {
namespace output_dataset_test {

using testing_support::run_sim;
using testing_support::SimRun;

const char* const kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const std::string kTrained = std::string(QSIM_SOURCE_DIR) + "/configs/trained/";
constexpr int kFrames = 20;

class OutputDataset : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(std::filesystem::exists(kImages))
            << kImages << " is missing: install the Debian package dataset-fashion-mnist (scripts/setup.sh does)";
        dir = std::filesystem::temp_directory_path() /
              ("qsim_output_dataset_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir);
        std::ifstream f(kTrained + "fmnist_mlp_w1a2.yaml");
        std::stringstream ss;
        ss << f.rdbuf();
        text = ss.str();
        reference = read_reference_predictions(kTrained + "fmnist_mlp_w1a2.predictions.txt");
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    // The trained config with `output` appended, written beside the committed one's files (its
    // device library and weight file by absolute paths).
    std::string config_with(const std::string& output) {
        std::string t = text;
        auto replace = [&](const std::string& from, const std::string& to) {
            const size_t at = t.find(from);
            ASSERT_NE(at, std::string::npos) << from;
            t.replace(at, from.size(), to);
        };
        replace("library: ../devices.yaml", "library: " + std::string(QSIM_SOURCE_DIR) + "/configs/devices.yaml");
        replace("file: fmnist_mlp_w1a2.qnnw", "file: " + kTrained + "fmnist_mlp_w1a2.qnnw");
        const std::string p = (dir / "mlp.yaml").string();
        std::ofstream(p) << t << output;
        return p;
    }
    SimRun run_dataset(const std::string& config, const std::string& report) {
        return run_sim({"--config", config, "--dataset", kImages, "--frames", std::to_string(kFrames), "--reference",
                        kTrained + "fmnist_mlp_w1a2.predictions.txt", "--no-timing", "--report", report});
    }
    std::filesystem::path dir;
    std::string text;
    std::vector<int> reference;
};

TEST_F(OutputDataset, APerChannelOffsetMovesThePredictedClasses) {
    // Scaling every channel alike keeps the arg max: every reference class again.
    const std::string report = (dir / "r.json").string();
    const SimRun same = run_dataset(config_with("output: {scale: 0.25, offset: 3}\n"), report);
    ASSERT_EQ(same.status, 0) << same.output;
    EXPECT_NE(same.output.find("output    dequantised on the host: value = scale x out + offset, scale 0.25, offset 3"),
              std::string::npos)
        << same.output;
    EXPECT_NE(same.output.find("(classes of the dequantised outputs)"), std::string::npos) << same.output;
    EXPECT_NE(same.output.find(std::to_string(kFrames) + " of " + std::to_string(kFrames) + " predicted classes equal"),
              std::string::npos)
        << same.output;
    // An offset far above any accumulator on channel 3: every image is class 3.
    const SimRun moved = run_dataset(config_with("output: {offset: [0, 0, 0, 100000, 0, 0, 0, 0, 0, 0]}\n"), report);
    EXPECT_EQ(moved.status, 4) << moved.output;
    EXPECT_NE(moved.output.find("offset per channel, 0 .. 100000"), std::string::npos) << moved.output;
    std::ifstream in(report);
    const nlohmann::json j = nlohmann::json::parse(in);
    int threes = 0;
    for (int i = 0; i < kFrames; ++i) threes += reference[size_t(i)] == 3;
    ASSERT_LT(threes, kFrames) << "the first images are not all class 3";
    EXPECT_EQ(j["dataset"]["dequantised"], true);
    EXPECT_EQ(j["dataset"]["reference_matches"], threes);
    EXPECT_EQ(j["config"]["output"]["derived"]["offset"][3], 100000.0);
}

TEST_F(OutputDataset, ExpectComparesTheOutputsOfTheDataSetsImages) {
    const NetworkConfig net = load_network_config(kTrained + "fmnist_mlp_w1a2.yaml");
    const NetworkParams params = load_params(net);
    const IdxImages images = read_idx_images(kImages, kFrames);
    std::vector<double> want;
    for (const FeatureMap& x : dataset_frames(images, 0, kFrames, net.input)) {
        const std::vector<FeatureMap> layers = golden::run_network(net, params, x);
        for (int32_t v : layers.back().data) want.push_back(double(v));
    }
    const std::string expect = (dir / "expect.npy").string();
    write_npy(expect, {size_t(kFrames), 10}, want, NpyDtype::I4);
    const SimRun r = run_sim({"--config", kTrained + "fmnist_mlp_w1a2.yaml", "--dataset", kImages, "--frames",
                              std::to_string(kFrames), "--expect", expect});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("expect         PASS  " + std::to_string(kFrames) + " frames x 10 values equal " + expect),
              std::string::npos)
        << r.output;
}

TEST(OutputDequantisation, DatasetClassesComeFromTheDequantisedValues) {
    // Raw outputs 9, 7, 8, 2: channel 0 is the largest; an offset of 3 on channel 1 makes it
    // 10, the largest dequantised value.
    const NetworkConfig n = parse_network_config(
        "name: t\ndevice: {clock_mhz: 100}\ninput: {height: 1, width: 1, channels: 8}\nlayers:\n"
        "  - {name: fc, type: fc, filters: 4, weights: {quant: binary}, activation: {type: none}}\noutput: {offset: [0, 3, 0, 0]}\n",
        "t.yaml");
    FeatureMap out({1, 1, 4});
    out.data = {9, 7, 8, 2};
    FeatureMap tie({1, 1, 4});
    tie.data = {9, 6, 8, 2};  // 9 and 6 + 3: the lowest channel wins
    EXPECT_EQ(predicted_class(out), 0);
    EXPECT_EQ(dequantised_class(out, n.output), 1);
    EXPECT_EQ(dequantised_class(tie, n.output), 0);

    const std::vector<FeatureMap> outputs = {out, tie};
    const DatasetResult raw = evaluate_dataset(outputs, {1, 0}, {0, 0});
    EXPECT_FALSE(raw.dequantised);
    EXPECT_EQ(raw.correct, 1);
    EXPECT_EQ(raw.reference_matches, 2);
    const DatasetResult deq = evaluate_dataset(outputs, {1, 0}, {0, 0}, false, &n.output);
    EXPECT_TRUE(deq.dequantised);
    EXPECT_EQ(deq.correct, 2);
    EXPECT_EQ(deq.reference_matches, 1);
    ASSERT_EQ(deq.mismatches.size(), 1u);
    EXPECT_EQ(deq.mismatches[0], "image 0: simulated class 1, reference 0");
    // A map of another size than the dequantisation, and a label select's classes, are refused.
    EXPECT_THROW(dequantised_class(FeatureMap({1, 1, 3}), n.output), std::invalid_argument);
    EXPECT_THROW(evaluate_dataset(outputs, {}, {}, true, &n.output), std::invalid_argument);
}

}  // namespace output_dataset_test
}  // namespace qsim
