// System tests of graphs (docs/graphs.md): the shipped residual network runs bit-true at its
// bottleneck's interval, the analytical tier agrees, and its first skip FIFO is as small as it
// can be: one row less stalls the pipeline (and the analytical tier marks it), one row in all
// deadlocks it, and the diagnosis names the fork, the join and both FIFOs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "models/accelerator/dataflow_doubts.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace graph_test {

const std::string kConfigs = std::string(QSIM_SOURCE_DIR) + "/configs";

// configs/resnet_cifar_tiny.yaml with the first block's skip FIFO `skip` rows deep.
NetworkConfig residual(int skip) {
    std::ifstream f(kConfigs + "/resnet_cifar_tiny.yaml");
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    const std::string given = "input_fifo_depths: [0, 6]";
    const size_t at = text.find(given);
    EXPECT_NE(at, std::string::npos) << "the skip FIFO depth is not in resnet_cifar_tiny.yaml";
    text.replace(at, given.size(), "input_fifo_depths: [0, " + std::to_string(skip) + "]");
    return parse_network_config(text, "resnet_cifar_tiny.yaml", {}, kConfigs);
}

TEST(Graph, ResidualNetworkRunsBitTrueAtItsBottleneck) {
    const NetworkConfig net = residual(6);
    ASSERT_FALSE(net.is_chain());
    EXPECT_EQ(net.readers(0), (std::vector<size_t>{1, 3}));  // the stem forks
    SimOptions options;
    options.frames = 4;
    options.check = true;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    // The stem and the first block's 3x3 layers: 32 rows x 32 pixels x 9 cycles.
    EXPECT_EQ(r.estimate_interval_cycles, 32u * 32 * 9);
    EXPECT_EQ(r.interval_cycles, r.estimate_interval_cycles);
    // The first join's skip FIFO holds enough: the analytical tier has no doubt about it.
    for (const EstimateDoubt& d : estimate_doubts(net, estimate_dataflow(net))) EXPECT_NE(d.layer, "b1add") << d.why;
    // Both joins and both forks are blocks of the report, each busy H*W*ceil(C/SIMD) cycles.
    int forks = 0, adds = 0;
    for (const BlockResult& b : r.blocks) {
        forks += b.role == "fork";
        adds += b.role == "add";
        if (b.layer == "b1add" && b.role == "add") {
            EXPECT_EQ(b.busy_cycles / uint64_t(r.frames_completed), 32u * 32);
        }
    }
    EXPECT_EQ(forks, 2);
    EXPECT_EQ(adds, 2);
}

TEST(Graph, OneRowLessOnTheSkipFifoStallsAndTheAnalyticalTierMarksIt) {
    const NetworkConfig net = residual(5);
    const DataflowEstimate est = estimate_dataflow(net);
    const std::vector<EstimateDoubt> doubts = estimate_doubts(net, est);
    ASSERT_FALSE(doubts.empty());
    EXPECT_EQ(doubts.front().layer, "b1add");
    EXPECT_NE(doubts.front().why.find("'stem'"), std::string::npos) << doubts.front().why;
    SimOptions options;
    options.frames = 4;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_GT(r.interval_cycles, r.estimate_interval_cycles * 102 / 100);
}

TEST(Graph, ASkipFifoOfOneRowDeadlocksAndTheDiagnosisNamesForkJoinAndFifos) {
    const NetworkConfig net = residual(1);
    SimOptions options;
    options.frames = 2;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_TRUE(r.deadlock);
    std::string line;
    for (const std::string& l : r.deadlock_report)
        if (l.find("reconvergent paths") != std::string::npos) line = l;
    ASSERT_FALSE(line.empty()) << "no reconvergence diagnosis";
    EXPECT_NE(line.find("join 'b1add'"), std::string::npos) << line;
    EXPECT_NE(line.find("split at 'stem'"), std::string::npos) << line;
    EXPECT_NE(line.find("stem_fork_to_b1add (1/1 rows)"), std::string::npos) << line;  // full
    EXPECT_NE(line.find("b1c2_to_b1add (0/2 rows)"), std::string::npos) << line;     // empty
    EXPECT_NE(line.find("layers[3].input_fifo_depths[1] > 1"), std::string::npos) << line;
}

// Two branches of different kernels joined along the channels (an inception-style module),
// then global average pooling (the sums) into a classifier.
const char* kConcatNet = R"(name: two_branches
device: {clock_mhz: 100}
input: {height: 12, width: 12, channels: 3, bits: 8, stream_bits: 24}
run: {frames: 3}
layers:
  - {name: stem, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: uniform, bits: 4},
     activation: {type: thresholds, bits: 2}, folding: {pe: 8, simd: 3}}
  - {name: narrow, type: conv, kernel: 1, filters: 4, weights: {quant: binary},
     activation: {type: bipolar}, folding: {pe: 4, simd: 8}}
  - {name: wide, type: conv, kernel: 3, padding: same, filters: 8, inputs: [stem], weights: {quant: binary},
     activation: {type: thresholds, bits: 2}, folding: {pe: 8, simd: 8}, input_fifo_depths: [4]}
  - {name: join, type: concat, inputs: [narrow, wide]}
  - {name: pool, type: global_avgpool}
  - {name: classes, type: fc, filters: 10, weights: {quant: binary}, activation: {type: none},
     folding: {pe: 10, simd: 12}}
)";

TEST(Graph, AConcatOfTwoBranchesAndGlobalAveragePoolingRunBitTrue) {
    const NetworkConfig net = parse_network_config(kConcatNet, "two_branches.yaml");
    EXPECT_EQ(net.layers[3].out.channels, 12);
    SimOptions options;
    options.check = true;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    // The stem: 12 x 12 pixels x 9 cycles.
    EXPECT_EQ(r.estimate_interval_cycles, 12u * 12 * 9);
    EXPECT_EQ(r.interval_cycles, r.estimate_interval_cycles);
}

}  // namespace graph_test
}  // namespace qsim
