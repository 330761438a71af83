// Module tests of the MVTU: bit-true rows against the golden reference, the folding's
// cycles, fc input streaming, and stalls when the consumer is slow.
#include <gtest/gtest.h>

#include "models/common/rng.hpp"
#include "models/mvtu/mvtu.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "models/network/param_generator.hpp"
#include "models/swu/window_kernel.hpp"
#include "testbenches/golden/golden_reference.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"

namespace qsim {
namespace {

using testbench::RowCollector;
using testbench::RowFeeder;

LayerConfig conv_layer() {
    LayerConfig l;
    l.name = "conv";
    l.type = LayerType::Conv;
    l.kernel = 3;
    l.stride = 1;
    l.pad_begin = l.pad_end = 1;
    l.in = {5, 5, 4};
    l.out = {5, 5, 6};
    l.in_encoding = Encoding::Unsigned;
    l.in_bits = 2;
    l.weights = {WeightQuant::Ternary, 2, 0.05, 1.0};
    l.activation = {ActivationType::Thresholds, 2};
    l.out_encoding = Encoding::Unsigned;
    l.out_bits = 2;
    l.datapath = Datapath::AddSub;
    l.folding = {3, 2, 5};  // 18 synapse folds x 2 neuron folds x 1 pixel group = 36 cycles/row
    return l;
}

NetworkConfig one_layer_net(const LayerConfig& l) {
    NetworkConfig net;
    net.name = "one";
    net.input.shape = l.in;
    net.input.bits = l.in_bits;
    net.layers.push_back(l);
    return net;
}

FeatureMap random_map(FmShape s, int levels, uint64_t seed) {
    FeatureMap fm(s);
    Rng rng(seed);
    for (auto& v : fm.data) v = int32_t(rng.below(uint32_t(levels)));
    return fm;
}

std::vector<StreamRow> window_rows(const LayerConfig& l, const FeatureMap& fm) {
    std::vector<StreamRow> rows;
    for (int r = 0; r < l.out.height; ++r) {
        std::vector<const int32_t*> in_rows(size_t(l.kernel));
        for (int ky = 0; ky < l.kernel; ++ky) {
            const int iy = swu_first_input_row(l, r) + ky;
            in_rows[size_t(ky)] = (iy < 0 || iy >= l.in.height) ? nullptr : fm.data.data() + size_t(iy) * l.in.width * l.in.channels;
        }
        StreamRow w;
        w.row = r;
        w.pixels = l.out.width;
        w.depth = l.kernel * l.kernel * l.in.channels;
        w.data.resize(size_t(w.pixels) * w.depth);
        build_window_row(l, in_rows.data(), w.data.data());
        rows.push_back(std::move(w));
    }
    return rows;
}

TEST(Mvtu, ConvRowsAreBitTrueAndTakeTheFoldedCycles) {
    const auto period = testbench::test_period();
    const LayerConfig l = conv_layer();
    const NetworkParams params = generate_params(one_layer_net(l), 5, 0.3);
    const FeatureMap in = random_map(l.in, 4, 9);
    RowFeeder feeder("feeder", period, window_rows(l, in), 0);
    RowFifo a("a", 2), b("b", 2);
    Mvtu mvtu("mvtu", l, params.layers[0], period);
    RowCollector collector("collector", period);
    feeder.out(a);
    mvtu.in(a);
    mvtu.out(b);
    collector.in(b);
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
    const auto period = testbench::test_period();
    const LayerConfig l = conv_layer();
    const NetworkParams params = generate_params(one_layer_net(l), 5, 0.0);
    RowFeeder feeder("feeder", period, window_rows(l, random_map(l.in, 4, 1)), 0);
    RowFifo a("a", 1), b("b", 1);
    Mvtu mvtu("mvtu", l, params.layers[0], period);
    RowCollector collector("collector", period, 100);  // takes a row every 100 cycles
    feeder.out(a);
    mvtu.in(a);
    mvtu.out(b);
    collector.in(b);
    sc_core::sc_start();
    ASSERT_EQ(collector.rows.size(), 5u);
    for (size_t i = 1; i < 5; ++i) EXPECT_EQ(collector.taken_at[i] - collector.taken_at[i - 1], 100u);
    EXPECT_GT(mvtu.stats().blocked_cycles, 0u);
    EXPECT_GT(feeder.stats().blocked_cycles, 0u);  // and the stall propagates upstream
}

TEST(Mvtu, FcConsumesItsInputDuringTheFirstNeuronFold) {
    const auto period = testbench::test_period();
    LayerConfig l;
    l.name = "fc";
    l.type = LayerType::Fc;
    l.in = {4, 4, 2};  // 32 inputs arriving as 4 rows of 8
    l.out = {1, 1, 8};
    l.in_encoding = Encoding::Bipolar;
    l.in_bits = 1;
    l.weights = {WeightQuant::Binary, 1, 0.0, 1.0};
    l.activation = {ActivationType::Bipolar, 1};
    l.out_encoding = Encoding::Bipolar;
    l.out_bits = 1;
    l.datapath = Datapath::XnorPopcount;
    l.folding = {2, 4, 1};  // 8 synapse folds x 4 neuron folds = 32 cycles
    const NetworkParams params = generate_params(one_layer_net(l), 3, 0.0);
    const FeatureMap in = random_map(l.in, 2, 2);
    RowFeeder feeder("feeder", period, testbench::rows_of(in, 0), 10);  // a row every 10 cycles
    RowFifo a("a", 2), b("b", 2);
    Mvtu mvtu("mvtu", l, params.layers[0], period);
    RowCollector collector("collector", period);
    feeder.out(a);
    mvtu.in(a);
    mvtu.out(b);
    collector.in(b);
    sc_core::sc_start();
    ASSERT_EQ(collector.rows.size(), 1u);
    EXPECT_EQ(collector.rows[0].data, golden::run_layer(l, params.layers[0], in).data);
    // The last row arrives at 40; its 2 words were consumed by 42; 3 more folds of 8 follow.
    EXPECT_EQ(collector.taken_at[0], 42u + 24u);
    EXPECT_EQ(mvtu.stats().busy_cycles, 32u);
}

}  // namespace
}  // namespace qsim
