// Module tests of the decompressor (thesis ch. 3.4.1) and the decompressor-fed PE array
// (ch. 3.4.3-3.4.4, Fig. 3.5): the decoder's rows through dec2pe_wt in memory order with their
// clocks, and the array's rows bit-true against the golden reference with the cycles of the
// slowest lane per pixel group (conv) or per batch (fc, the last batch smaller).
#include <gtest/gtest.h>

#include <algorithm>

#include "models/common/rng.hpp"
#include "models/decompressor/decompressor.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "models/decompressor/sparse_pe_array.hpp"
#include "models/network/param_generator.hpp"
#include "models/swu/window_kernel.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace decompressor_test {

using ArrayBench = testbench::BlockBench<SparsePeArray>;

using testing_support::one_layer_net;
using testing_support::random_map;

// conv 3x3, pad 1, over 6x7x4 unsigned 2-bit, 8 ternary filters; 2 lanes x MMV 3 PEs.
LayerConfig conv_layer(WeightEncoding e) {
    LayerConfig l = testing_support::conv_layer("conv", 3, 1, 1, {6, 7, 4}, 8);
    testing_support::set_operands(l, Encoding::Unsigned, 2, {WeightQuant::Ternary, 2, 0.05, 1.0},
                                  {ActivationType::Thresholds, 2});
    l.folding = {2, 4, 3};
    l.decompressor.enabled = true;
    l.decompressor.encoding = e;
    l.decompressor.delta_bits = 2;
    return l;
}

class Reader : public sc_core::sc_module {
public:
    sc_core::sc_port<WeightStreamIf> dec2pe_wt;
    SC_HAS_PROCESS(Reader);
    Reader(sc_core::sc_module_name n, int count) : sc_core::sc_module(n), dec2pe_wt("dec2pe_wt"), count_(count) {
        SC_THREAD(run);
    }
    std::vector<DecodedRow> rows;

private:
    void run() {
        for (int i = 0; i < count_; ++i) rows.push_back(dec2pe_wt->next_row());
    }
    int count_;
};

TEST(Decompressor, StreamsItsRowsInMemoryOrderAndAgain) {
    const LayerConfig l = conv_layer(WeightEncoding::Huffman);
    const NetworkParams params = generate_params(one_layer_net(l), 2, 0.6);
    Decompressor dec("dec", l, params.layers[0], 1);  // lane 1 of 2: channels 1, 3, 5, 7
    Reader reader("reader", 8);
    reader.dec2pe_wt(dec.dec2pe_wt);
    sc_core::sc_start();
    ASSERT_EQ(reader.rows.size(), 8u);
    uint64_t clocks = 0, zeros = 0, weights = 0;
    for (size_t i = 0; i < 8; ++i) {
        const DecodedRow& r = reader.rows[i];
        EXPECT_EQ(r.channel, int(1 + 2 * (i % 4)));
        EXPECT_TRUE(std::is_sorted(r.entries.begin(), r.entries.end(),
                                   [](const WeightEntry& a, const WeightEntry& b) { return a.address < b.address; }));
        for (const auto& e : r.entries) EXPECT_NE(e.weight, 0);
        clocks += r.cycles;
        weights += r.entries.size();
        zeros += uint64_t(l.fan_in()) - r.entries.size();
    }
    EXPECT_EQ(dec.stats().rows, 8u);
    EXPECT_EQ(dec.stats().cycles, clocks);
    EXPECT_EQ(dec.stats().cycles, 2 * dec.kernel().pass_cycles());
    EXPECT_EQ(dec.stats().weights, weights);
    EXPECT_EQ(dec.stats().zeros_skipped, zeros);
    EXPECT_GT(dec.stats().skips, 0u);  // gaps wider than 2^2 - 1 at 60% zeros
    EXPECT_LT(dec.stats().cycles, uint64_t(l.fan_in()) * 8);  // fewer clocks than weights
}

TEST(SparsePeArray, ConvRowsAreBitTrueAndTakeTheSlowestLanePerPixelGroup) {
    for (WeightEncoding e : {WeightEncoding::RunLength, WeightEncoding::Huffman}) {
        const LayerConfig l = conv_layer(e);
        const NetworkParams params = generate_params(one_layer_net(l), 5, 0.5);
        const FeatureMap in = random_map(l.in, 4, 9);
        std::vector<StreamRow> windows;
        for (int r = 0; r < l.out.height; ++r) {
            StreamRow w = StreamRow::shaped(0, r, l.out.width, int(l.fan_in()));
            build_window_row(l, testing_support::window_input_rows(l, in, r).data(), w.data.data());
            windows.push_back(std::move(w));
        }
        // Expected clocks: 3 pixel groups (7 pixels, 3 PEs) x the slower lane's pass.
        uint64_t pass = 0;
        for (int d = 0; d < 2; ++d) pass = std::max(pass, DecompressorKernel(l, params.layers[0], d, 2).pass_cycles());
        const FeatureMap expected = golden::run_layer(l, params.layers[0], in);
        if (e == WeightEncoding::RunLength) {
            ArrayBench bench(windows, {}, "pe_array", l, params.layers[0], 1);
            sc_core::sc_start();
            ASSERT_EQ(bench.collector.rows.size(), 6u);
            for (int r = 0; r < 6; ++r) {
                const auto first = expected.data.begin() + r * 7 * 8;
                EXPECT_EQ(bench.collector.rows[size_t(r)].data, std::vector<int32_t>(first, first + 56)) << "row " << r;
                EXPECT_EQ(bench.collector.taken_at[size_t(r)], 3 * pass * uint64_t(r + 1));
            }
            EXPECT_EQ(bench.block.stats().busy_cycles, 6 * 3 * pass);
            EXPECT_EQ(decompressor_cycles_per_frame(l, pass), 6 * 3 * pass);
            uint64_t nonzeros = 0;
            for (int8_t w : params.layers[0].weights) nonzeros += w != 0;
            EXPECT_EQ(bench.block.stats().useful_ops, nonzeros * 42);  // every weight x 42 pixels
        } else {
            // The Huffman lanes emit the same weights: same values.
            DecompressorKernel a(l, params.layers[0], 0, 2);
            LayerConfig rle = l;
            rle.decompressor.encoding = WeightEncoding::RunLength;
            DecompressorKernel b(rle, params.layers[0], 0, 2);
            for (int f = 0; f < a.rows(); ++f) {
                ASSERT_EQ(a.row(f).entries.size(), b.row(f).entries.size());
                EXPECT_EQ(a.row(f).cycles, b.row(f).cycles);  // one entry per clock either way
            }
        }
    }
}

TEST(SparsePeArray, FcComputesBatchesAndTheLastSmallerOne) {
    LayerConfig l = testing_support::fc_layer("fc", {2, 1, 16}, 6);  // 32 inputs in 2 rows
    testing_support::set_operands(l, Encoding::Bipolar, 1, {WeightQuant::Ternary, 2, 0.05, 1.0},
                                  {ActivationType::Bipolar, 1});
    l.folding = {3, 1, 1};
    l.decompressor.enabled = true;
    l.decompressor.batch = 2;
    const NetworkParams params = generate_params(one_layer_net(l), 7, 0.7);
    std::vector<StreamRow> rows;
    std::vector<FeatureMap> frames;
    for (int f = 0; f < 5; ++f) {
        frames.push_back(random_map(l.in, 2, uint64_t(f) + 1));
        for (auto& r : testbench::rows_of(frames.back(), f)) rows.push_back(std::move(r));
    }
    ArrayBench bench(rows, {}, "pe_array", l, params.layers[0], 5);
    sc_core::sc_start();
    ASSERT_EQ(bench.collector.rows.size(), 5u);
    for (int f = 0; f < 5; ++f) {
        EXPECT_EQ(bench.collector.rows[size_t(f)].frame, f);
        EXPECT_EQ(bench.collector.rows[size_t(f)].data, golden::run_layer(l, params.layers[0], frames[size_t(f)]).data);
    }
    uint64_t pass = 0;
    for (int d = 0; d < 3; ++d) pass = std::max(pass, DecompressorKernel(l, params.layers[0], d, 3).pass_cycles());
    EXPECT_EQ(bench.block.stats().busy_cycles, 3 * pass);  // batches of 2, 2 and 1
    // Double-buffered inputs: batch 2 is in before batch 1 is done, so batches follow back to back.
    EXPECT_EQ(bench.collector.taken_at[3] - bench.collector.taken_at[1], pass);
}

}  // namespace decompressor_test
}  // namespace qsim
