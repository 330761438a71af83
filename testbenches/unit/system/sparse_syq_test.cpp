// System tests of the thesis's own blocks in network configs: the sparse ternary MLP and VGG of
// Tables 3.2 and 3.3 on decompressor-fed PE arrays, and the SYQ MVTU of Table 5.7 with row- and
// pixel-wise scaling, every layer compared bit for bit with the golden reference; a run from a
// run-length coded weight file; and the compressed sizes the report carries.
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <set>
#include <string>

#include "sim/design/config_loader.hpp"
#include "models/network/weight_file.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace sparse_syq_test {

struct Design {
    const char* name;
    const char* config;
    std::map<std::string, std::string> params;
};

void PrintTo(const Design& d, std::ostream* os) { *os << d.name; }

class SparseSyqBitTrue : public ::testing::TestWithParam<Design> {};

TEST_P(SparseSyqBitTrue, EveryLayerMatchesTheGoldenReference) {
    const Design d = GetParam();
    const NetworkConfig net =
        load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/" + d.config + ".yaml", d.params);
    SimOptions options;
    options.check = true;
    options.record_layers = true;  // the codes of every layer's outputs are looked at below
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    ASSERT_TRUE(r.check.done);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_GT(r.check.values_compared, 0u);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        std::set<int32_t> codes;
        for (const auto& fm : r.layer_outputs[i]) codes.insert(fm.data.begin(), fm.data.end());
        EXPECT_GE(codes.size(), 2u) << net.layers[i].name << " output is constant";
        if (net.layers[i].decompressor.enabled) {
            const SparseWeightStats& s = r.layers[i].sparse;
            ASSERT_TRUE(s.enabled) << net.layers[i].name;
            const double zeros = 1.0 - double(s.nonzeros) / double(s.weights);
            EXPECT_NEAR(zeros, net.weights.sparsity, 0.02) << net.layers[i].name;
            EXPECT_LT(s.rle_bits, s.packed_bits) << net.layers[i].name;
            EXPECT_GT(s.decoder_clocks_per_frame, 0u);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Designs, SparseSyqBitTrue,
    ::testing::Values(Design{"mlp_binary_act", "sparse_tnn_mlp", {{"hidden", "512"}}},
                      Design{"mlp_float_act_huffman", "sparse_tnn_mlp",
                             {{"hidden", "256"}, {"sparsity", "0.928"}, {"act", "relu"}, {"encoding", "huffman"},
                              {"pe_hidden", "16"}}},
                      Design{"vgg_binary_act_8px", "sparse_tnn_vgg", {{"size", "8"}}},
                      Design{"vgg_float_act_8px", "sparse_tnn_vgg", {{"size", "8"}, {"sparsity", "0.901"}, {"act", "relu"}}},
                      Design{"syq_pixel_32_32", "syq_mvtu_zu3", {{"scaling", "pixel"}}},
                      Design{"syq_row_64_32", "syq_mvtu_zu3", {{"scaling", "row"}, {"simd", "64"}}}),
    [](const ::testing::TestParamInfo<Design>& info) { return std::string(info.param.name); });

TEST(SparseSyqSystem, RunLengthCodedWeightFileDrivesTheDecompressors) {
    NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/sparse_tnn_mlp.yaml",
                                            {{"hidden", "256"}, {"batch", "2"}});
    const NetworkParams generated = load_params(net);
    const std::string path = ::testing::TempDir() + "/sparse_mlp_rle.qnnw";
    WeightFileOptions o;
    o.encoding = WeightEncoding::RunLength;
    write_weight_file(path, net, generated, o);
    net.weights.kind = WeightSource::Kind::File;
    net.weights.path = path;
    const NetworkParams read = load_params(net);
    for (size_t l = 0; l < net.layers.size(); ++l) EXPECT_EQ(read.layers[l].weights, generated.layers[l].weights);
    SimOptions options;
    options.check = true;
    options.frames = 5;  // batches of 2, 2 and 1
    const RunResult r = simulate(net, read, options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_EQ(r.frames_completed, 5);
    EXPECT_TRUE(r.check.passed) << r.check.message;
}

}  // namespace sparse_syq_test
}  // namespace qsim
