// System tests: every shipped design simulated end to end, every layer's output compared
// with the golden reference, and the outputs checked to use the codes of their precision
// (so a comparison of all-zero maps cannot pass for bit-true).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <ostream>
#include <string>

#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace bit_true_test {

struct Design {
    const char* name;  // test name
    const char* config;
    std::map<std::string, std::string> params;
};

// Printed by gtest and ctest as the test label.
void PrintTo(const Design& d, std::ostream* os) { *os << d.name; }

class BitTrue : public ::testing::TestWithParam<Design> {};

TEST_P(BitTrue, EveryLayerMatchesTheGoldenReference) {
    const Design d = GetParam();
    const NetworkConfig net =
        load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/" + d.config + ".yaml", d.params);
    SimOptions options;
    options.frames = 2;
    options.check = true;
    options.record_layers = true;  // the codes of every layer's outputs are looked at below
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    ASSERT_TRUE(r.check.done);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_GT(r.check.values_compared, 0u);

    ASSERT_EQ(r.layer_outputs.size(), net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerConfig& l = net.layers[i];
        std::set<int32_t> codes;
        for (const auto& fm : r.layer_outputs[i]) codes.insert(fm.data.begin(), fm.data.end());
        if (l.activation.type == ActivationType::Thresholds && l.is_compute()) {
            EXPECT_EQ(codes.size(), size_t(1) << l.out_bits) << l.name << " does not use all its output codes";
        } else {
            EXPECT_GE(codes.size(), 2u) << l.name << " output is constant";
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Designs, BitTrue,
    ::testing::Values(Design{"alexnet_pruned40", "alexnet_pruned40", {}},
                      Design{"tinyyolo_original_64px", "tinyyolo_original", {{"size", "64"}}},
                      Design{"tinyyolo_pruned50_64px", "tinyyolo_pruned50", {{"size", "64"}}},
                      Design{"finn_mlp_W1A1_xnor", "finn_mlp", {}},
                      Design{"finn_mlp_W1A2_addsub", "finn_mlp", {{"abits", "2"}}},
                      Design{"finn_mlp_W2A2", "finn_mlp", {{"wquant", "uniform"}, {"wbits", "2"}, {"abits", "2"}}},
                      Design{"finn_mlp_W8A8", "finn_mlp", {{"wquant", "uniform"}, {"wbits", "8"}, {"abits", "8"}}},
                      Design{"finn_mlp_W3A5", "finn_mlp", {{"wquant", "uniform"}, {"wbits", "3"}, {"abits", "5"}}},
                      Design{"mnist_gmp_cnn", "mnist_gmp_cnn", {}},
                      Design{"mnist_int8_cnn", "mnist_int8_cnn", {}}),
    [](const ::testing::TestParamInfo<Design>& info) { return std::string(info.param.name); });

}  // namespace bit_true_test
}  // namespace qsim
