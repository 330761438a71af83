// System tests of issue 9's promise: every committed trained model of configs/trained/, run
// through the SystemC model on all 10,000 Fashion-MNIST test images, predicts for every image
// the class the PyTorch-side integer reference predicted (scripts/train/export.py stored them
// beside the model), and so reaches exactly its accuracy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/dataset/idx_dataset.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/runner/dataset_eval.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace dataset_accuracy_test {

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

    // Ternary layers: the run reports their sparsity, counted by the simulator from the weights it
    // loaded, equal to the exporter's numpy count, and a run-length-coded size below the dense
    // 2-bit form. The exporter sizes a stream without end-of-row entries, the report the rows a
    // decompressor reads (ternary_codec.hpp): one entry of 1 + b bits more per row at most, and
    // a skip entry fewer per row where the exporter's gap spans a row boundary.
    for (const auto& layer : info.at("sparsity").at("layers")) {
        const std::string name = layer.at("layer");
        const auto it = std::find_if(r.layers.begin(), r.layers.end(), [&](const auto& l) { return l.name == name; });
        ASSERT_NE(it, r.layers.end()) << name;
        const SparseWeightStats& s = it->sparse;
        if (!layer.at("rle_delta_bits").is_number()) {
            EXPECT_FALSE(s.enabled) << name << " is not ternary";
            continue;
        }
        ASSERT_TRUE(s.enabled) << name << ": no sparse weight statistics for a ternary layer";
        EXPECT_EQ(s.weights, layer.at("weights").get<uint64_t>()) << name;
        EXPECT_EQ(s.weights - s.nonzeros, layer.at("zeros").get<uint64_t>()) << name;
        EXPECT_LT(s.rle_bits, s.packed_bits) << name;
        const LayerConfig& l = *net.find_layer(name);
        const double exported = layer.at("rle_bits").get<double>();
        const double rows = double(l.out.channels), entry = double(1 + s.delta_bits);
        EXPECT_LE(double(s.rle_bits), exported + rows * entry + 0.1 * exported) << name;
        EXPECT_GE(double(s.rle_bits), 0.9 * exported - rows * entry) << name;
    }
}

INSTANTIATE_TEST_SUITE_P(Committed, TrainedModel,
                         ::testing::Values("fmnist_mlp_w1a2", "fmnist_sparse_tnn", "fmnist_gmp_cnn"));

}  // namespace dataset_accuracy_test
}  // namespace qsim
