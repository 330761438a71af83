// Module tests of the sliding-window unit: the windows it emits, its line buffer, and the
// timing of its two sides.
#include <gtest/gtest.h>

#include "models/common/rng.hpp"
#include "models/swu/sliding_window_unit.hpp"
#include "models/swu/window_kernel.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace sliding_window_unit_test {

using testbench::RowCollector;

// feeder -> FIFO -> SWU -> FIFO -> collector; every test here uses the default pace (no gaps
// or holds, FIFOs of 2 rows).
using SwuBench = testbench::BlockBench<SlidingWindowUnit>;

LayerConfig conv3x3(int size, int channels, int simd, int mmv) {
    LayerConfig l = testing_support::conv_layer("conv", 3, 1, 1, {size, size, channels}, 4);  // out size x size x 4
    l.folding = {1, simd, mmv};
    return l;
}

FeatureMap random_map(FmShape s, uint64_t seed) {
    FeatureMap fm(s);
    Rng rng(seed);
    for (auto& v : fm.data) v = int32_t(rng.below(4));
    return fm;
}

// Windows of output row r built straight from the whole frame.
std::vector<int32_t> expected_windows(const LayerConfig& l, const FeatureMap& fm, int r) {
    std::vector<int32_t> out(size_t(l.out.width) * l.kernel * l.kernel * l.in.channels);
    build_window_row(l, testing_support::window_input_rows(l, fm, r).data(), out.data());
    return out;
}

TEST(SlidingWindowUnit, EmitsEveryWindowOfTwoFramesWithItsTiming) {
    const LayerConfig l = conv3x3(6, 2, 1, 1);  // accepts 6*2 = 12 cycles/row, emits 6*9*2 = 108
    const FeatureMap f0 = random_map(l.in, 1), f1 = random_map(l.in, 2);
    std::vector<StreamRow> rows = testbench::rows_of(f0, 0);
    for (auto& r : testbench::rows_of(f1, 1)) rows.push_back(std::move(r));

    SwuBench bench(std::move(rows), {}, "swu", l);
    SlidingWindowUnit& swu = bench.block;
    RowCollector& collector = bench.collector;
    sc_core::sc_start();

    ASSERT_EQ(collector.rows.size(), 12u);
    for (int f = 0; f < 2; ++f)
        for (int r = 0; r < 6; ++r) {
            const StreamRow& w = collector.rows[size_t(f * 6 + r)];
            EXPECT_EQ(w.frame, f);
            EXPECT_EQ(w.row, r);
            EXPECT_EQ(w.depth, 18);
            EXPECT_EQ(w.data, expected_windows(l, f == 0 ? f0 : f1, r)) << "frame " << f << " row " << r;
        }
    // Output row 0 needs input rows 0 and 1 (row -1 is padding): accepted at 12 and 24 cycles,
    // then 108 cycles to emit. After that the read side sets the pace: one row per 108 cycles,
    // across the frame boundary too (frame 1's rows were buffered meanwhile).
    EXPECT_EQ(collector.taken_at[0], 24u + 108u);
    for (size_t i = 1; i < collector.taken_at.size(); ++i)
        EXPECT_EQ(collector.taken_at[i] - collector.taken_at[i - 1], 108u) << i;
    EXPECT_EQ(swu.write_side_stats().busy_cycles, 12u * 12);
    EXPECT_EQ(swu.read_side_stats().busy_cycles, 12u * 108);
    EXPECT_LE(swu.peak_buffered_rows(), 4);  // K + stride
    EXPECT_GT(swu.write_side_stats().blocked_cycles, 0u);  // the full line buffer held the input back
}

TEST(SlidingWindowUnit, MmvAndSimdShortenTheSidesAsTheFoldingSays) {
    const LayerConfig l = conv3x3(6, 4, 2, 3);  // accepts 6*2 = 12 cycles/row, emits 2*9*2 = 36
    SwuBench bench(testbench::rows_of(random_map(l.in, 3), 0), {}, "swu", l);
    SlidingWindowUnit& swu = bench.block;
    RowCollector& collector = bench.collector;
    sc_core::sc_start();
    ASSERT_EQ(collector.rows.size(), 6u);
    EXPECT_EQ(swu.write_side_stats().busy_cycles, 6u * 12);
    EXPECT_EQ(swu.read_side_stats().busy_cycles, 6u * 36);
    EXPECT_EQ(collector.taken_at[0], 24u + 36u);
}

TEST(SlidingWindowUnit, StridedPoolWindowsDropUnusedRowsAndPadWithTheLowestCode) {
    LayerConfig l;
    l.name = "pool";
    l.type = LayerType::MaxPool;
    l.kernel = 3;
    l.stride = 2;
    l.pad_begin = 0;
    l.pad_end = 1;
    l.in = {6, 6, 1};
    l.out = {3, 3, 1};
    l.folding = {1, 1, 1};
    const FeatureMap fm = random_map(l.in, 4);
    SwuBench bench(testbench::rows_of(fm, 0), {}, "swu", l);
    RowCollector& collector = bench.collector;
    sc_core::sc_start();
    ASSERT_EQ(collector.rows.size(), 3u);
    for (int r = 0; r < 3; ++r) EXPECT_EQ(collector.rows[size_t(r)].data, expected_windows(l, fm, r));
    // The last window row covers input rows 4, 5 and one padded row.
    EXPECT_EQ(collector.rows[2].data[6], std::numeric_limits<int32_t>::min());
}

}  // namespace sliding_window_unit_test
}  // namespace qsim
