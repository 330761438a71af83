// Core tests of graphs in the configuration (docs/graphs.md): `inputs` and `input_fifo_depths`
// and the rules they must keep, what an add layer derives, the graph helpers of NetworkConfig,
// the golden reference of a graph, and the analytical tier's blocks and doubts.
#include <gtest/gtest.h>

#include <string>

#include "models/accelerator/dataflow_doubts.hpp"
#include "models/accelerator/dataflow_timing.hpp"
#include "models/network/param_generator.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace graph_config_test {

using testing_support::expect_error;
using testing_support::net;

// conv a (4 -> 8 channels, 2-bit codes) forks into conv b and the join; b feeds the join.
std::string residual(const std::string& join, const std::string& extra = "") {
    return net("  - {name: a, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"  // 5
               "     activation: {type: thresholds, bits: 2}}\n"                                              // 6
               "  - {name: b, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"  // 7
               "     activation: {type: thresholds, bits: 2}}\n" +                                            // 8
               join + extra);                                                                                  // 9
}

TEST(GraphConfig, AnAddLayerSumsTwoStreamsIntoTheFewestBitsThatHoldEverySum) {
    const NetworkConfig n = parse_network_config(residual("  - {name: j, type: add, inputs: [b, a]}\n"), "g.yaml");
    const LayerConfig& j = n.layers[2];
    EXPECT_EQ(j.inputs, (std::vector<int>{1, 0}));
    EXPECT_EQ(j.out.channels, 8);
    EXPECT_EQ(j.out.height, 8);
    // 2-bit + 2-bit unsigned codes: 0 .. 6, three bits.
    EXPECT_EQ(j.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(j.out_bits, 3);
    EXPECT_EQ(j.folding.simd, 8);  // one pixel a clock by default
    EXPECT_EQ(n.readers(0), (std::vector<size_t>{1, 2}));
    EXPECT_EQ(n.readers(1), (std::vector<size_t>{2}));
    EXPECT_EQ(n.inputs_of(1), (std::vector<int>{0}));
    EXPECT_EQ(n.inputs_of(0), (std::vector<int>{-1}));
    EXPECT_FALSE(n.is_chain());
    EXPECT_EQ(n.branch_fifo_depth(0, 2), 2);  // the producer's fifo_depth
    const NetworkConfig deep =
        parse_network_config(residual("  - {name: j, type: add, inputs: [b, a], input_fifo_depths: [0, 9]}\n"), "g.yaml");
    EXPECT_EQ(deep.branch_fifo_depth(0, 2), 9);
    EXPECT_EQ(deep.branch_fifo_depth(0, 1), 2);
}

TEST(GraphConfig, SignedAndBipolarInputsGiveASignedSum) {
    // A bipolar (+-1) layer and a 2-bit one: -1 .. 4, a signed 4-bit sum.
    const NetworkConfig n = parse_network_config(
        net("  - {name: a, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
            "     activation: {type: thresholds, bits: 2}}\n"
            "  - {name: b, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
            "     activation: {type: bipolar}}\n"
            "  - {name: j, type: add, inputs: [a, b]}\n"),
        "g.yaml");
    EXPECT_EQ(n.layers[2].in2_encoding, Encoding::Bipolar);
    EXPECT_EQ(n.layers[2].out_encoding, Encoding::Signed);
    EXPECT_EQ(n.layers[2].out_bits, 4);
}

TEST(GraphConfig, AThresholdUnitAfterTheAdderRequantisesTheSum) {
    const NetworkConfig n = parse_network_config(
        residual("  - {name: j, type: add, inputs: [b, a], activation: {type: thresholds, bits: 2}}\n"), "g.yaml");
    const LayerConfig& j = n.layers[2];
    EXPECT_EQ(j.activation.type, ActivationType::Thresholds);
    EXPECT_EQ(j.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(j.out_bits, 2);
    EXPECT_EQ(j.thresholds_per_channel(), 3);
    // The generator gives the unit three ascending thresholds a channel inside the sums 0 .. 6.
    const NetworkParams p = generate_params(n, 7, 0.0);
    ASSERT_EQ(p.layers[2].thresholds.size(), 8u * 3);
    EXPECT_EQ(p.layers[2].layer, "j");
    for (int c = 0; c < 8; ++c)
        for (int k = 0; k < 3; ++k) {
            const int32_t t = p.layers[2].thresholds[size_t(c * 3 + k)];
            EXPECT_GE(t, 0);
            EXPECT_LE(t, 6);
            if (k > 0) EXPECT_GT(t, p.layers[2].thresholds[size_t(c * 3 + k - 1)]);
        }
    // The golden reference: each sum through its channel's thresholds.
    FeatureMap x(j.in), y(j.in);
    for (size_t i = 0; i < x.data.size(); ++i) {
        x.data[i] = int32_t(i % 4);
        y.data[i] = int32_t((i / 3) % 4);
    }
    const FeatureMap out = golden::run_add(j, p.layers[2], x, y);
    for (size_t i = 0; i < out.data.size(); ++i) {
        const int32_t sum = x.data[i] + y.data[i];
        int32_t code = 0;
        for (int k = 0; k < 3; ++k) code += sum >= p.layers[2].thresholds[(i % 8) * 3 + size_t(k)];
        ASSERT_EQ(out.data[i], code) << "value " << i;
    }
    // Without an activation the sum leaves whole; 'none' is no requantisation.
    EXPECT_EQ(parse_network_config(residual("  - {name: j, type: add, inputs: [b, a]}\n"), "g.yaml").layers[2].activation.type,
              ActivationType::None);
    expect_error(residual("  - {name: j, type: add, inputs: [b, a], activation: {type: none}}\n"), "9",
                 "layers[2].activation.type", {"requantises the sum", "leave activation out"});
    // relu: the integer requantisation (bias, multiplier, shift) of the sum into 8-bit codes.
    const NetworkConfig r = parse_network_config(
        residual("  - {name: j, type: add, inputs: [b, a], activation: {type: relu, bits: 8}}\n"), "g.yaml");
    EXPECT_EQ(r.layers[2].out_bits, 8);
    const NetworkParams rp = generate_params(r, 7, 0.0);
    EXPECT_EQ(rp.layers[2].bias.size(), 8u);
    EXPECT_GE(rp.layers[2].shift, 1);
    const FeatureMap rout = golden::run_add(r.layers[2], rp.layers[2], x, y);
    for (int32_t v : rout.data) ASSERT_TRUE(v >= 0 && v <= 255);
    // A weight file holds a record for an adder's thresholds (weight_file_adder_test.cpp); one
    // without an activation has no parameters.
    const NetworkConfig wf = parse_network_config(
        residual("  - {name: j, type: add, inputs: [b, a], activation: {type: thresholds}}\n", "weights: {file: w.qnnw}\n"),
        "g.yaml");
    EXPECT_EQ(wf.weights.kind, WeightSource::Kind::File);
    EXPECT_TRUE(wf.layers[2].has_params());
    EXPECT_FALSE(parse_network_config(residual("  - {name: j, type: add, inputs: [b, a]}\n"), "g.yaml").layers[2].has_params());
}

TEST(GraphConfig, InputsThatBreakTheRulesNameTheFieldAndWhy) {
    expect_error(residual("  - {name: j, type: add}\n"), "9:5", "layers[2].inputs", {"missing required field", "two"});
    expect_error(residual("  - {name: j, type: add, inputs: [b, x]}\n"), "9:34", "layers[2].inputs",
                 {"no layer is named 'x'"});
    expect_error(residual("  - {name: j, type: add, inputs: [b]}\n"), "9:34", "layers[2].inputs",
                 {"expected two layers", "got 1"});
    expect_error(residual("  - {name: j, type: add, inputs: [b, b]}\n"), "9:34", "layers[2].inputs", {"named twice"});
    expect_error(residual("  - {name: j, type: add, inputs: [b, j]}\n"), "9:34", "layers[2].inputs",
                 {"'j' is layers[2]", "listed before it"});
    expect_error(residual("  - {name: j, type: maxpool, kernel: 2, inputs: [a, b]}\n"), "9", "layers[2].inputs",
                 {"expected one layer, got 2"});
    // A layer nobody reads.
    expect_error(residual("  - {name: j, type: global_maxpool, inputs: [a]}\n"), "7:5", "layers[1]",
                 {"output of 'b' is read by no layer"});
    // Shapes that differ: the pooled branch is 4x4.
    expect_error(residual("  - {name: p, type: maxpool, kernel: 2}\n  - {name: j, type: add, inputs: [p, a]}\n"),
                 "10:34", "layers[3].inputs", {"one shape", "'p' delivers 4x4x8", "'a' 8x8x8"});
    // Depths only for inputs that fork.
    expect_error(residual("  - {name: j, type: add, inputs: [b, a], input_fifo_depths: [3, 9]}\n"), "9",
                 "layers[2].input_fifo_depths", {"input 0 (b) does not fork", "give 0"});
    expect_error(residual("  - {name: j, type: add, inputs: [b, a], input_fifo_depths: [0]}\n"), "9",
                 "layers[2].input_fifo_depths", {"one depth per input (2)"});
    expect_error(residual("  - {name: j, type: add, inputs: [b, a], input_fifo_depths: [0, x]}\n"), "9",
                 "layers[2].input_fifo_depths", {"integer >= 0", "'x'"});
    // Layer 0 reads the network input.
    expect_error(net("  - {name: a, type: conv, kernel: 3, filters: 8, inputs: [a]}\n"), "5", "layers[0].inputs",
                 {"network input"});
    // A host link takes chains.
    expect_error(residual("  - {name: j, type: add, inputs: [b, a]}\n", "host: {architecture: dataflow}\n"), "10",
                 "host", {"graph"});
}

TEST(GraphConfig, AConcatLayerJoinsChannelsAndConvertsMixedEncodingsToValues) {
    // a: 8 channels of 2-bit codes; b: 8 channels; p: a 1x1 conv with 4 bipolar channels.
    const NetworkConfig same =
        parse_network_config(residual("  - {name: j, type: concat, inputs: [a, b], folding: {simd: 4}}\n"), "g.yaml");
    const LayerConfig& j = same.layers[2];
    EXPECT_EQ(j.out.channels, 16);
    EXPECT_EQ(j.in2_channels, 8);
    EXPECT_EQ(j.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(j.out_bits, 2);
    const NetworkConfig mixed = parse_network_config(
        residual("  - {name: p, type: conv, kernel: 1, filters: 4, inputs: [a], weights: {quant: binary},\n"
                 "     activation: {type: bipolar}}\n"
                 "  - {name: j, type: concat, inputs: [b, p]}\n"),
        "g.yaml");
    const LayerConfig& m = mixed.layers[3];
    EXPECT_EQ(m.out.channels, 12);
    EXPECT_EQ(m.out_encoding, Encoding::Signed);  // 0..3 and -1/+1 as values: signed 3 bits
    EXPECT_EQ(m.out_bits, 3);
    EXPECT_EQ(m.folding.simd, 12);
    const NetworkParams params = generate_params(mixed, 5, 0.0);
    FeatureMap in(mixed.input.shape);
    for (size_t i = 0; i < in.data.size(); ++i) in.data[i] = int32_t((i * 53) % 256);
    const std::vector<FeatureMap> out = golden::run_network(mixed, params, in);
    const FeatureMap &b = out[1], &p = out[2], &c = out[3];
    for (int px = 0; px < 64; ++px) {
        for (int k = 0; k < 8; ++k) ASSERT_EQ(c.data[size_t(px * 12 + k)], b.data[size_t(px * 8 + k)]);
        for (int k = 0; k < 4; ++k) ASSERT_EQ(c.data[size_t(px * 12 + 8 + k)], 2 * p.data[size_t(px * 4 + k)] - 1);
    }
    expect_error(residual("  - {name: q, type: maxpool, kernel: 2}\n  - {name: j, type: concat, inputs: [q, a]}\n"),
                 "10:37", "layers[3].inputs", {"one height and width", "'q' delivers 4x4x8"});
    expect_error(residual("  - {name: j, type: concat, inputs: [a, b], folding: {simd: 3}}\n"), "9",
                 "layers[2].folding.simd", {"must divide the output channels = 16"});
}

TEST(GraphConfig, GlobalAveragePoolingSumsEveryPositionInTheBitsTheSumNeeds) {
    // a: 8 x 8 positions of unsigned 2-bit codes: sums 0 .. 192, 8 bits unsigned.
    const NetworkConfig n = parse_network_config(
        net("  - {name: a, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
            "     activation: {type: thresholds, bits: 2}}\n"
            "  - {name: g, type: global_avgpool}\n"),
        "g.yaml");
    const LayerConfig& g = n.layers[1];
    EXPECT_EQ(g.out.height, 1);
    EXPECT_EQ(g.out.channels, 8);
    EXPECT_EQ(g.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(g.out_bits, 8);
    const NetworkParams params = generate_params(n, 4, 0.0);
    FeatureMap in(n.input.shape);
    for (size_t i = 0; i < in.data.size(); ++i) in.data[i] = int32_t((i * 29) % 256);
    const std::vector<FeatureMap> out = golden::run_network(n, params, in);
    for (int c = 0; c < 8; ++c) {
        int64_t sum = 0;
        for (int p = 0; p < 64; ++p) sum += out[0].data[size_t(p * 8 + c)];
        EXPECT_EQ(out[1].data[size_t(c)], sum) << c;
    }
    // Raw accumulators are refused.
    expect_error(net("  - {name: a, type: conv, kernel: 3, filters: 8, weights: {quant: binary},\n"
                     "     activation: {type: none}}\n"
                     "  - {name: g, type: global_avgpool}\n"),
                 "7:5", "layers[1]", {"raw 32-bit accumulator", "'a'"});
}

TEST(GraphConfig, TheGoldenReferenceFollowsTheGraph) {
    const NetworkConfig n = parse_network_config(residual("  - {name: j, type: add, inputs: [b, a]}\n"), "g.yaml");
    const NetworkParams params = generate_params(n, 3, 0.0);
    FeatureMap in(n.input.shape);
    for (size_t i = 0; i < in.data.size(); ++i) in.data[i] = int32_t((i * 37) % 256);
    const std::vector<FeatureMap> out = golden::run_network(n, params, in);
    ASSERT_EQ(out.size(), 3u);
    // b reads a, the join reads b and a.
    EXPECT_EQ(out[1].data, golden::run_layer(n.layers[1], params.layers[1], out[0]).data);
    for (size_t i = 0; i < out[2].data.size(); ++i) ASSERT_EQ(out[2].data[i], out[1].data[i] + out[0].data[i]) << i;
}

TEST(GraphConfig, TheAnalyticalTierTimesTheJoinAndTheForkAndDoubtsAShallowSkip) {
    const NetworkConfig n =
        parse_network_config(residual("  - {name: j, type: add, inputs: [b, a], input_fifo_depths: [0, 3]}\n"),
                             "g.yaml");
    const DataflowEstimate est = estimate_dataflow(n);
    uint64_t fork = 0, add = 0;
    for (const BlockEstimate& b : est.blocks) {
        if (b.role == "fork") fork = b.cycles_per_frame;
        if (b.role == "add") add = b.cycles_per_frame;
    }
    EXPECT_EQ(fork, 8u * 8);  // a pixel a clock
    EXPECT_EQ(add, 8u * 8);   // 8 channels a clock
    // b (3x3, padding 1) takes 2 rows of a before its first row and one more to keep its line
    // buffer fed; with the join's row and one of slack, 4 rows; the skip FIFO holds 3. (The rule
    // is a bound: this design, whose layers run at one rate, simulates at full rate from 2 rows.)
    const std::vector<EstimateDoubt> doubts = estimate_doubts(n, est);
    ASSERT_EQ(doubts.size(), 1u);
    EXPECT_EQ(doubts[0].layer, "j");
    EXPECT_EQ(doubts[0].coupled_cycles, est.interval_cycles);  // no better number: simulate
    EXPECT_NE(doubts[0].why.find("takes about 4 rows"), std::string::npos) << doubts[0].why;
    EXPECT_NE(doubts[0].why.find("holds 3 rows"), std::string::npos) << doubts[0].why;
    const NetworkConfig deep =
        parse_network_config(residual("  - {name: j, type: add, inputs: [b, a], input_fifo_depths: [0, 4]}\n"),
                             "g.yaml");
    EXPECT_TRUE(estimate_doubts(deep, estimate_dataflow(deep)).empty());
}

}  // namespace graph_config_test
}  // namespace qsim
