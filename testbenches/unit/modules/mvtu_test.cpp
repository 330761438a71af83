// Module tests of the MVTU: bit-true rows against the golden reference, the folding's
// cycles, fc input streaming, and stalls when the consumer is slow.
#include <gtest/gtest.h>

#include "models/common/rng.hpp"
#include "models/mvtu/mvtu.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "models/network/param_generator.hpp"
#include "models/swu/window_kernel.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace mvtu_test {

using testbench::RowCollector;
using testbench::RowFeeder;

// feeder -> FIFO -> MVTU -> FIFO -> collector.
using MvtuBench = testbench::BlockBench<Mvtu>;

LayerConfig conv_layer() {
    LayerConfig l = testing_support::conv_layer("conv", 3, 1, 1, {5, 5, 4}, 6);  // out 5x5x6
    testing_support::set_operands(l, Encoding::Unsigned, 2, {WeightQuant::Ternary, 2, 0.05, 1.0},
                                  {ActivationType::Thresholds, 2});  // out: unsigned 2-bit, ADD/SUB
    l.folding = {3, 2, 5};  // 18 synapse folds x 2 neuron folds x 1 pixel group = 36 cycles/row
    return l;
}

using testing_support::one_layer_net;
using testing_support::random_map;

std::vector<StreamRow> window_rows(const LayerConfig& l, const FeatureMap& fm) {
    std::vector<StreamRow> rows;
    for (int r = 0; r < l.out.height; ++r) {
        StreamRow w;
        w.row = r;
        w.pixels = l.out.width;
        w.depth = l.kernel * l.kernel * l.in.channels;
        w.data.resize(size_t(w.pixels) * w.depth);
        build_window_row(l, testing_support::window_input_rows(l, fm, r).data(), w.data.data());
        rows.push_back(std::move(w));
    }
    return rows;
}

TEST(Mvtu, ConvRowsAreBitTrueAndTakeTheFoldedCycles) {
    const LayerConfig l = conv_layer();
    const NetworkParams params = generate_params(one_layer_net(l), 5, 0.3);
    const FeatureMap in = random_map(l.in, 4, 9);
    MvtuBench bench(window_rows(l, in), {}, "mvtu", l, params.layers[0]);
    Mvtu& mvtu = bench.block;
    RowCollector& collector = bench.collector;
    sc_core::sc_start();

    const FeatureMap expected = golden::run_layer(l, params.layers[0], in);
    ASSERT_EQ(collector.rows.size(), 5u);
    for (int r = 0; r < 5; ++r) {
        const auto first = expected.data.begin() + r * 5 * 6;
        EXPECT_EQ(collector.rows[size_t(r)].data, std::vector<int32_t>(first, first + 30)) << "row " << r;
    }
    ASSERT_EQ(mvtu_cycles_per_row(l), 36u);
    for (int r = 0; r < 5; ++r) EXPECT_EQ(collector.taken_at[size_t(r)], 36u * (r + 1));
    EXPECT_EQ(mvtu.stats().busy_cycles, 5u * 36);
    EXPECT_EQ(mvtu.stats().useful_ops, uint64_t(l.fan_in()) * 6 * 25);
    EXPECT_EQ(mvtu.stats().lane_cycles, 5u * 36 * 30);
}

TEST(Mvtu, SlowConsumerBlocksTheMvtu) {
    const LayerConfig l = conv_layer();
    const NetworkParams params = generate_params(one_layer_net(l), 5, 0.0);
    testbench::BenchPace pace;
    pace.fifo_depth = 1;
    pace.hold = 100;  // the collector takes a row every 100 cycles
    MvtuBench bench(window_rows(l, random_map(l.in, 4, 1)), pace, "mvtu", l, params.layers[0]);
    RowFeeder& feeder = bench.feeder;
    Mvtu& mvtu = bench.block;
    RowCollector& collector = bench.collector;
    sc_core::sc_start();
    ASSERT_EQ(collector.rows.size(), 5u);
    for (size_t i = 1; i < 5; ++i) EXPECT_EQ(collector.taken_at[i] - collector.taken_at[i - 1], 100u);
    EXPECT_GT(mvtu.stats().blocked_cycles, 0u);
    EXPECT_GT(feeder.stats().blocked_cycles, 0u);  // and the stall propagates upstream
}

TEST(Mvtu, FcConsumesItsInputDuringTheFirstNeuronFold) {
    LayerConfig l = testing_support::fc_layer("fc", {4, 4, 2}, 8);  // 32 inputs arriving as 4 rows of 8
    testing_support::set_operands(l, Encoding::Bipolar, 1, {WeightQuant::Binary, 1, 0.0, 1.0},
                                  {ActivationType::Bipolar, 1});  // out: bipolar, XNOR-popcount
    l.folding = {2, 4, 1};  // 8 synapse folds x 4 neuron folds = 32 cycles
    const NetworkParams params = generate_params(one_layer_net(l), 3, 0.0);
    const FeatureMap in = random_map(l.in, 2, 2);
    testbench::BenchPace pace;
    pace.gap = 10;  // the feeder sends a row every 10 cycles
    MvtuBench bench(testbench::rows_of(in, 0), pace, "mvtu", l, params.layers[0]);
    Mvtu& mvtu = bench.block;
    RowCollector& collector = bench.collector;
    sc_core::sc_start();
    ASSERT_EQ(collector.rows.size(), 1u);
    EXPECT_EQ(collector.rows[0].data, golden::run_layer(l, params.layers[0], in).data);
    // The last row arrives at 40; its 2 words were consumed by 42; 3 more folds of 8 follow.
    EXPECT_EQ(collector.taken_at[0], 42u + 24u);
    EXPECT_EQ(mvtu.stats().busy_cycles, 32u);
}

}  // namespace mvtu_test
}  // namespace qsim
