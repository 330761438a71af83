// Core tests of the decompressor-fed PE array's kernels and timing rule (thesis ch. 3.4.1,
// 3.4.4, Fig. 3.5): the decoder's output order (rows of its lane in memory order, addresses
// ascending within a row), zero skipping (one clock per nonzero, skip and end of row, none
// per zero weight), the P PEs' dot products against a naive loop, and the expected-entries
// model against measured streams.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/common/rng.hpp"
#include "models/decompressor/decompressor_kernel.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "models/network/param_generator.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace decompressor_kernel_test {

// fc 64 -> 12, ternary weights, unsigned 2-bit input, 4 lanes, batch 3.
NetworkConfig fc_net(double sparsity) {
    NetworkConfig net = testing_support::NetBuilder(1, 1, 64, 2)
                            .fc("fc", 12, WeightQuant::Ternary, 2, ActivationType::Thresholds, 2)
                            .build();
    LayerConfig& l = net.layers[0];
    l.folding = {4, 1, 1};
    l.decompressor.enabled = true;
    l.decompressor.delta_bits = 3;
    l.decompressor.batch = 3;
    l.decompressor.expected_density = 1.0 - sparsity;
    net.weights.sparsity = sparsity;
    return net;
}

TEST(DecompressorKernel, EmitsItsLanesRowsInOrderAndSkipsEveryZero) {
    const NetworkConfig net = fc_net(0.7);
    const LayerConfig& l = net.layers[0];
    const NetworkParams params = generate_params(net, 3, 0.7);
    const auto& w = params.layers[0].weights;
    for (WeightEncoding enc : {WeightEncoding::RunLength, WeightEncoding::Huffman}) {
        LayerConfig le = l;
        le.decompressor.encoding = enc;
        for (int lane = 0; lane < 4; ++lane) {
            const DecompressorKernel k(le, params.layers[0], lane, 4);
            ASSERT_EQ(k.rows(), 3);
            uint64_t pass = 0;
            for (int f = 0; f < 3; ++f) {
                const DecodedRow& row = k.row(f);
                const int n = f * 4 + lane;
                EXPECT_EQ(row.channel, n);
                // Exactly the nonzero weights, addresses ascending, nothing for a zero.
                std::vector<WeightEntry> want;
                uint64_t gaps = 0;
                int64_t prev = -1;
                for (int s = 0; s < 64; ++s) {
                    const int8_t v = w[size_t(n) * 64 + size_t(s)];
                    if (v == 0) continue;
                    want.push_back({uint32_t(s), v});
                    gaps += uint64_t(s - prev - 1) / 7;  // skips of M = 2^3 - 1
                    prev = s;
                }
                ASSERT_EQ(row.entries.size(), want.size()) << "lane " << lane << " row " << f;
                for (size_t i = 0; i < want.size(); ++i) {
                    EXPECT_EQ(row.entries[i].address, want[i].address);
                    EXPECT_EQ(row.entries[i].weight, want[i].weight);
                }
                // One clock per entry: the nonzeros, the skips of wide gaps, the end of row.
                EXPECT_EQ(row.cycles, want.size() + gaps + 1);
                pass += row.cycles;
            }
            EXPECT_EQ(k.pass_cycles(), pass);
        }
    }
}

TEST(DecompressorKernel, PesReuseEachWeightOverTheirOwnInputs) {
    const NetworkConfig net = fc_net(0.5);
    const LayerConfig& l = net.layers[0];
    const NetworkParams params = generate_params(net, 9, 0.5);
    const DecompressorKernel k(l, params.layers[0], 1, 4);
    const SparsePeKernel pes(l, params.layers[0]);
    Rng rng(4);
    std::vector<std::vector<int32_t>> x(3, std::vector<int32_t>(64));
    for (auto& v : x)
        for (auto& c : v) c = int32_t(rng.below(4));
    const int32_t* inputs[3] = {x[0].data(), x[1].data(), x[2].data()};
    for (int f = 0; f < k.rows(); ++f) {
        int64_t acc[3];
        pes.accumulate(k.row(f), inputs, 3, acc);
        const int n = k.row(f).channel;
        for (int i = 0; i < 3; ++i) {
            int64_t naive = 0;
            for (int s = 0; s < 64; ++s) naive += int64_t(params.layers[0].weights[size_t(n) * 64 + size_t(s)]) * x[size_t(i)][size_t(s)];
            EXPECT_EQ(acc[i], naive) << "channel " << n << " PE " << i;
        }
    }
}

TEST(DecompressorTiming, ExpectedEntriesFollowTheDensity) {
    EXPECT_DOUBLE_EQ(expected_row_entries(1000, 1.0, 7), 1001.0);  // dense: every weight + end
    EXPECT_DOUBLE_EQ(expected_row_entries(1000, 0.0, 7), 1.0);     // empty: the end only
    // Measured streams of random weights at several densities agree with the model within 3%.
    for (double gamma : {0.5, 0.1, 0.024})
        for (int b : {3, 7}) {
            Rng rng(uint64_t(gamma * 1000) + uint64_t(b));
            std::vector<int8_t> w(200 * 2048);
            for (auto& v : w) v = rng.uniform() < gamma ? int8_t(1) : int8_t(0);
            const EncodedWeights e = encode_ternary(w.data(), 200, 2048, WeightEncoding::RunLength, b);
            const double measured = double(e.entries) / 200.0;
            EXPECT_NEAR(measured / expected_row_entries(2048, gamma, b), 1.0, 0.03) << gamma << " b " << b;
        }
}

TEST(DecompressorTiming, CyclesPerFrameAndBatchedInterval) {
    NetworkConfig net = fc_net(0.0);
    const LayerConfig& fc = net.layers[0];
    // Dense: 3 rows of 64 weights + end per lane = 195 clocks a batch of 3 frames.
    EXPECT_EQ(expected_pass_cycles(fc), 195u);
    EXPECT_EQ(decompressor_cycles_per_frame(fc), 65u);
    EXPECT_EQ(network_batch(net), 3);
    EXPECT_EQ(longest_batch_pass(net), 195u);
    // Frames leave in batches of 3 every 195 cycles: the interval is 65.
    EXPECT_EQ(batched_interval({195, 195, 195, 390, 390, 390, 585, 585, 585}, 3), 65u);
    EXPECT_EQ(batched_interval({100, 250}, 1), 150u);
    // conv: H_out * ceil(W_out / MMV) passes per frame.
    LayerConfig conv = testing_support::conv_layer("c", 3, 1, 1, {6, 6, 4}, 8);
    testing_support::set_operands(conv, Encoding::Unsigned, 2, {WeightQuant::Ternary, 2, 0.05, 1.0},
                                  {ActivationType::Thresholds, 2});
    conv.folding = {2, 4, 4};
    conv.decompressor.enabled = true;
    EXPECT_EQ(decompressor_pes_per_lane(conv), 4);
    EXPECT_EQ(decompressor_passes_per_frame(conv), 6u * 2);
    EXPECT_EQ(decompressor_cycles_per_frame(conv, 100), 1200u);
}

}  // namespace decompressor_kernel_test
}  // namespace qsim
