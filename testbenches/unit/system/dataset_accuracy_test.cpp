// System tests of issue 9's promise: every committed trained model of configs/trained/, run
// through the SystemC model on all 10,000 Fashion-MNIST test images, predicts for every image
// the class the PyTorch-side integer reference predicted (scripts/train/export.py stored them
// beside the model), and so reaches exactly its accuracy.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/dataset/idx_dataset.hpp"
#include "models/network/config_loader.hpp"
#include "testbenches/sim/dataset_eval.hpp"
#include "testbenches/sim/simulation.hpp"

namespace qsim {
namespace {

const char* const kTestImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const char* const kTestLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

class TrainedModel : public ::testing::TestWithParam<const char*> {};

TEST_P(TrainedModel, SimulatorPredictsTheReferenceClassOnEveryTestImage) {
    ASSERT_TRUE(std::filesystem::exists(kTestImages))
        << kTestImages << " is missing: install the Debian package dataset-fashion-mnist (scripts/setup.sh does)";
    const std::string base = std::string(QSIM_SOURCE_DIR) + "/configs/trained/" + GetParam();
    NetworkConfig net = load_network_config(base + ".yaml");
    const IdxImages images = read_idx_images(kTestImages);
    const IdxLabels labels = read_idx_labels(kTestLabels);
    const std::vector<int> reference = read_reference_predictions(base + ".predictions.txt");
    ASSERT_EQ(images.count, 10000);
    net.input.frames = std::make_shared<const std::vector<FeatureMap>>(dataset_frames(images, 0, images.count, net.input));

    SimOptions options;
    options.frames = images.count;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    ASSERT_EQ(r.frames_completed, images.count);
    const DatasetResult d =
        evaluate_dataset(r.outputs, std::vector<int>(labels.labels.begin(), labels.labels.end()), reference);
    EXPECT_EQ(d.reference_matches, images.count) << (d.mismatches.empty() ? "" : d.mismatches.front());

    // The accuracy the export recorded for the integer reference is the simulator's too.
    std::ifstream record(base + ".json");
    const nlohmann::json info = nlohmann::json::parse(record);
    EXPECT_EQ(d.correct, int(std::lround(info.at("integer_accuracy").get<double>() * images.count)));
}

INSTANTIATE_TEST_SUITE_P(Committed, TrainedModel,
                         ::testing::Values("fmnist_mlp_w1a2", "fmnist_sparse_tnn", "fmnist_gmp_cnn"));

}  // namespace
}  // namespace qsim
