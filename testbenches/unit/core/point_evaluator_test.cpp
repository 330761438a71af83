// PointEvaluator (sim/sweep/point_evaluator.hpp) against evaluate_point(): the same JSON record
// for every point, valid or not, over random points of chains, graphs, sparse, host-linked and
// RCCM designs with axes of every kind (layer, wildcard, section, defaults, values that do not
// parse, values that break rules), and the cases it leaves to the whole derivation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/design/yaml_front_end.hpp"
#include "sim/sweep/design_space.hpp"
#include "sim/sweep/point_evaluator.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace qsim::sweep {
namespace {

struct Tally {
    uint64_t valid = 0, invalid = 0, doubted = 0;
    PointEvaluator::Counts counts;
    std::string uncached;
};

// Evaluates `points` random points (and, when the grid is small, every point) both ways.
Tally compare(const std::string& config, const std::vector<std::string>& axes, uint64_t points,
              size_t cached_layers = 200000) {
    DesignSpace space;
    space.config = std::string(QSIM_SOURCE_DIR) + "/configs/" + config;
    for (const std::string& a : axes) space.axes.push_back(parse_axis(a));
    space.sample.mode = SampleSpec::Mode::Random;
    space.sample.points = points;
    space.sample.seed = 3;
    const design::NetworkSpec base = design::read_yaml_spec(space.config);
    PointEvaluator cached(space, base, cached_layers);
    Tally t;
    for (uint64_t i = 0; i < points; ++i) {
        const PointResult want = evaluate_point(space, base, i);
        const PointResult got = cached.evaluate(i);
        EXPECT_EQ(to_json(got).dump(), to_json(want).dump()) << config << " point " << i << ": " << want.point;
        if (::testing::Test::HasFailure()) break;
        (want.valid ? t.valid : t.invalid) += 1;
        t.doubted += !want.needs_simulation.empty();
    }
    t.counts = cached.counts();
    t.uncached = cached.uncached_reason();
    return t;
}

TEST(PointEvaluator, AlexNetFoldingClockAndInvalidValues) {
    // sweep_bench's axes, plus values that break the folding rules (conv4.simd=7), do not parse
    // (conv5.mmv=x) and a reuse that couples conv4 with conv5 (doubts).
    const Tally t = compare("alexnet_pruned40.yaml",
                            {"conv4.pe=1,2,3,4,6,8,12,16,24,32", "conv4.simd=1,2,4,7,29,58,116", "conv4.reuse=1,2",
                             "conv5.pe=1,2,4,8,16,32,64", "conv5.simd=1,2,3,4,6,8,12,16,24,32,48,64,96,192",
                             "conv5.mmv=1,2,7,14,x", "conv1.mmv=1,2,3,6,9,18,27,54", "clock_mhz=100,150,185,0"},
                            1500);
    EXPECT_EQ(t.uncached, "");
    EXPECT_GT(t.valid, 300u);
    EXPECT_GT(t.invalid, 300u);
    EXPECT_GT(t.doubted, 0u);
    // Layers are derived once per combination of what they read, not once per point.
    EXPECT_LT(t.counts.layer_derivations, 1500u * 3);
    EXPECT_EQ(t.counts.whole, 0u);
}

TEST(PointEvaluator, CachesThatStartAgainGiveTheSameRecords) {
    // Seven derived layers at most: the caches are emptied every point or two.
    const Tally t = compare("alexnet_pruned40.yaml",
                            {"conv4.pe=1,2,4,8", "conv4.simd=1,2,4,7", "conv5.mmv=1,2,7,14", "clock_mhz=100,185,250"}, 300, 7);
    EXPECT_GT(t.valid, 100u);
    EXPECT_GT(t.counts.layer_derivations, 300u);
}

TEST(PointEvaluator, BitsAndPruningChangeWhatLaterLayersRead) {
    const Tally t = compare("alexnet_pruned40.yaml",
                            {"conv2.abits=1,2,3,4", "conv3.prune=0,0.2,0.4,0.9", "conv4.simd=1,2,4", "*.mmv=1,2",
                             "conv4.wbits=1,2,8", "defaults.reuse=1,2", "conv3.fifo_depth=1,2,64"},
                            800);
    EXPECT_EQ(t.uncached, "");
    EXPECT_GT(t.valid, 50u);
    EXPECT_GT(t.invalid, 50u);
}

TEST(PointEvaluator, SectionsDeviceAndHost) {
    const Tally t = compare("alexnet_pcie.yaml",
                            {"device.name=KU115,ZU3,U250,nosuchpart", "host.pcie.lanes=1,4,8,16,3", "conv2.pe=7,11,77",
                             "resources.flow=synthesis,implementation", "input.fifo_depth=1,2,300", "clock_mhz=100,250"},
                            600);
    EXPECT_EQ(t.uncached, "");
    EXPECT_GT(t.valid, 20u);
    EXPECT_GT(t.invalid, 20u);
}

TEST(PointEvaluator, ResidualGraph) {
    const Tally t = compare("resnet_cifar_tiny.yaml",
                            {"stem.pe=1,2,4,8,16", "b1c1.simd=1,2,4,16", "b1c2.fifo_depth=1,2,8", "b1add.simd=1,2,4,16",
                             "b2proj.pe=1,2,4,32", "b2add.simd=1,2,32", "clock_mhz=100,200"},
                            600);
    EXPECT_EQ(t.uncached, "");
    EXPECT_GT(t.valid, 100u);
    EXPECT_GT(t.doubted, 0u);
}

TEST(PointEvaluator, SparseDepthwiseRccmAndOneDimensional) {
    for (const Tally& t :
         {compare("sparse_tnn_mlp.yaml", {"fc1.pe=1,2,4,8", "fc2.decompressor.batch=1,2,4,8", "fc3.simd=1,2,4", "clock_mhz=100,250"}, 300),
          compare("mobilenet_v1_w4a4.yaml", {"dw1.pe=1,2,4,8,32", "dw1.simd=1,3,9", "pw1.mmv=1,7,14", "device.name=U250,ZU3"}, 300),
          compare("addnet_alexnet.yaml", {"conv2.pe=1,8,64", "conv2.simd=1,3,9", "conv3.weights.rccm=2add,3add,4add"}, 200),
          compare("kws_1d_tiny.yaml", {"c1.pe=1,2,4,64", "dw.simd=1,3", "top3.k=1,3,12,13", "classes.simd=1,2,64"}, 300)}) {
        EXPECT_EQ(t.uncached, "");
        EXPECT_GT(t.valid, 10u);
    }
}

TEST(PointEvaluator, MemoryStylesAndPowerConditions) {
    // Memory styles for every layer and per layer and kind (a cached layer's resources depend on
    // them), and the power section's conditions (its board power does).
    const Tally t = compare("mlp_w4a4_zu3.yaml",
                            {"resources.ram_style=auto,block,distributed", "fc2.ram_style.thresholds=auto,block,ultra",
                             "fc1.pe=1,4,16", "power.junction_c=25,85", "power.ddr_channels=0,2", "clock_mhz=100,200"},
                            400);
    EXPECT_EQ(t.uncached, "");
    EXPECT_GT(t.valid, 100u);
    EXPECT_EQ(t.counts.whole, 0u);
}

TEST(PointEvaluator, ParamsAndStructureGoTheWholeWay) {
    const Tally params = compare("addnet_conv_layer.yaml", {"param.rccm=2add,4add", "conv.pe=1,8"}, 20);
    EXPECT_NE(params.uncached.find("param.rccm"), std::string::npos);
    EXPECT_EQ(params.counts.whole, 20u);
    const Tally structure = compare("resnet_cifar_tiny.yaml", {"pool.type=global_maxpool,global_avgpool"}, 10);
    EXPECT_NE(structure.uncached.find("structure"), std::string::npos);
    EXPECT_EQ(structure.valid, 10u);
    // A loopback host (one layer accelerator for every layer): each point the whole way.
    const Tally loopback = compare("addnet_conv_layer.yaml", {"conv.pe=1,8,64", "clock_mhz=100,250"}, 20);
    EXPECT_EQ(loopback.uncached, "");
    EXPECT_EQ(loopback.counts.whole, 20u);
}

}  // namespace
}  // namespace qsim::sweep
