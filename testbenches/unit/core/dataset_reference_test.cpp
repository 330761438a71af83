// The committed trained models of configs/trained/ against their integer-reference predictions
// (written by scripts/train/export.py, PyTorch side): the simulator's golden reference must
// predict the same class for every Fashion-MNIST test image it runs. This checks the Python
// integer evaluation against the C++ one; the SystemC model is compared with the same
// predictions by the sim integration.
//
// Runs the first 1,000 test images by default; QSIM_DATASET_IMAGES=N runs N (10000: all).
// Needs the data set package (dataset-fashion-mnist, installed by scripts/setup.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "models/dataset/idx_dataset.hpp"
#include "sim/design/config_loader.hpp"
#include "models/network/weight_file.hpp"
#include "sim/golden/golden_reference.hpp"

namespace qsim {
namespace dataset_reference_test {

const char* const kTestImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const char* const kTestLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

int images_to_run(int available) {
    const char* env = std::getenv("QSIM_DATASET_IMAGES");
    const int n = env ? std::atoi(env) : 1000;
    return n > 0 && n < available ? n : available;
}

class DatasetReference : public ::testing::TestWithParam<const char*> {};

TEST_P(DatasetReference, GoldenReferencePredictsTheCommittedClasses) {
    const std::string base = std::string(QSIM_SOURCE_DIR) + "/configs/trained/" + GetParam();
    const std::vector<int> reference = read_reference_predictions(base + ".predictions.txt");
    ASSERT_EQ(reference.size(), 10000u) << "one prediction per Fashion-MNIST test image";
    ASSERT_TRUE(std::filesystem::exists(kTestImages))
        << kTestImages << " is missing: install the Debian package dataset-fashion-mnist (scripts/setup.sh does)";

    const NetworkConfig net = load_network_config(base + ".yaml");
    ASSERT_EQ(net.weights.kind, WeightSource::Kind::File);
    const NetworkParams params = read_weight_file(net.weights.path, net);
    const IdxImages images = read_idx_images(kTestImages);
    const IdxLabels labels = read_idx_labels(kTestLabels);
    const int n = images_to_run(images.count);

    int mismatches = 0, correct = 0, first_mismatch = -1;
    for (int i = 0; i < n; ++i) {
        const auto outputs = golden::run_network(net, params, dataset_frame(images, i, net.input));
        const int predicted = predicted_class(outputs.back());
        if (predicted != reference[size_t(i)] && mismatches++ == 0) first_mismatch = i;
        correct += predicted == labels.labels[size_t(i)] ? 1 : 0;
    }
    EXPECT_EQ(mismatches, 0) << "of " << n << " images; first at image " << first_mismatch
                             << " (golden " << predicted_class(golden::run_network(
                                                   net, params, dataset_frame(images, std::max(first_mismatch, 0),
                                                                              net.input)).back())
                             << ", reference " << reference[size_t(std::max(first_mismatch, 0))] << ")";
    RecordProperty("images", n);
    RecordProperty("correct", correct);
}

INSTANTIATE_TEST_SUITE_P(Trained, DatasetReference,
                         ::testing::Values("fmnist_mlp_w1a2", "fmnist_sparse_tnn", "fmnist_gmp_cnn"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace dataset_reference_test
}  // namespace qsim
