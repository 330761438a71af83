// Module tests of the graph blocks: the element-wise adder (a residual join), the channel
// concatenation and the stream fork (one FIFO per branch): the rows they emit, their cycles,
// and how one slow side holds the other back.
#include <gtest/gtest.h>

#include <type_traits>

#include "models/concat/concat_unit.hpp"
#include "models/eltwise/add_unit.hpp"
#include "models/fork/stream_fork.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"

namespace qsim {
namespace graph_blocks_test {

using testbench::RowCollector;
using testbench::RowFeeder;

// A 3 x 4 x 2 feature map whose code at (y, x, c) is (y * 8 + x * 2 + c + seed) % modulo.
FeatureMap pattern(int seed, int modulo) {
    FeatureMap fm(FmShape{3, 4, 2});
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 2; ++c) fm.data[size_t((y * 4 + x) * 2 + c)] = (y * 8 + x * 2 + c + seed) % modulo;
    return fm;
}

LayerConfig adder(Encoding a, Encoding b, int simd) {
    LayerConfig l;
    l.name = "join";
    l.type = LayerType::Add;
    l.in = l.out = FmShape{3, 4, 2};
    l.in_encoding = a;
    l.in_bits = a == Encoding::Bipolar ? 1 : 2;
    l.in2_encoding = b;
    l.in2_bits = b == Encoding::Bipolar ? 1 : 2;
    l.folding.simd = simd;
    l.activation.type = ActivationType::None;  // the full sum
    return l;
}

// Two feeders -> a join (AddUnit or ConcatUnit) -> a collector.
template <class Unit>
struct JoinBench {
    JoinBench(const LayerConfig& l, const FeatureMap& a, const FeatureMap& b, uint64_t gap_b,
              const LayerParams& params = {})
        : feed_a("feed_a", period, testbench::rows_of(a, 0), 0),
          feed_b("feed_b", period, testbench::rows_of(b, 0), gap_b),
          in_a("in_a", 2),
          in_b("in_b", 2),
          out("out", 2),
          unit(make_unit(l, params)),
          collector("collector", period) {
        feed_a.out(in_a);
        feed_b.out(in_b);
        unit.in_a(in_a);
        unit.in_b(in_b);
        unit.out(out);
        collector.in(out);
    }
    Unit make_unit(const LayerConfig& l, const LayerParams& params) {
        if constexpr (std::is_same_v<Unit, AddUnit>)
            return Unit("join_unit", l, params, period);
        else
            return Unit("join_unit", l, period);
    }
    const sc_core::sc_time period = testbench::test_period();
    RowFeeder feed_a, feed_b;
    RowFifo in_a, in_b, out;
    Unit unit;
    RowCollector collector;
};
using AddBench = JoinBench<AddUnit>;

TEST(AddUnit, SumsTheValuesOfBothStreamsRowByRow) {
    // Unsigned 2-bit codes plus bipolar codes (code c stands for 2c - 1).
    const LayerConfig l = adder(Encoding::Unsigned, Encoding::Bipolar, 2);
    const FeatureMap a = pattern(0, 4), b = pattern(1, 2);
    AddBench bench(l, a, b, 0);
    sc_core::sc_start();
    ASSERT_EQ(bench.collector.rows.size(), 3u);
    for (int y = 0; y < 3; ++y) {
        const StreamRow& r = bench.collector.rows[size_t(y)];
        EXPECT_EQ(r.row, y);
        for (int i = 0; i < 8; ++i) {
            const int32_t ca = a.data[size_t(y * 8 + i)], cb = b.data[size_t(y * 8 + i)];
            EXPECT_EQ(r.data[size_t(i)], ca + (2 * cb - 1)) << "row " << y << " value " << i;
        }
    }
    // SIMD 2 = both channels of a pixel per clock: 4 cycles a row, 12 a frame.
    EXPECT_EQ(bench.unit.stats().busy_cycles, 12u);
    EXPECT_EQ(bench.collector.taken_at, (std::vector<uint64_t>{4, 8, 12}));
}

TEST(AddUnit, TheSlowerInputPacesTheJoin) {
    // One channel per clock: 8 cycles a row; input b arrives a row every 30 cycles.
    const LayerConfig l = adder(Encoding::Unsigned, Encoding::Unsigned, 1);
    AddBench bench(l, pattern(0, 4), pattern(2, 4), 30);
    sc_core::sc_start();
    ASSERT_EQ(bench.collector.rows.size(), 3u);
    EXPECT_EQ(bench.collector.taken_at, (std::vector<uint64_t>{38, 68, 98}));
    EXPECT_EQ(bench.unit.stats().busy_cycles, 24u);
    EXPECT_EQ(bench.unit.stats().starved_cycles, 98u - 24u);
}

TEST(AddUnit, AThresholdUnitAfterTheSumRequantisesEachChannel) {
    // Two unsigned 2-bit streams (sums 0..6) requantised to 2-bit codes by three thresholds a
    // channel: channel 0 at 1, 3, 5; channel 1 at 2, 4, 6.
    LayerConfig l = adder(Encoding::Unsigned, Encoding::Unsigned, 2);
    l.activation = {ActivationType::Thresholds, 2};
    l.out_encoding = Encoding::Unsigned;
    l.out_bits = 2;
    LayerParams p;
    p.layer = "join";
    p.thresholds = {1, 3, 5, 2, 4, 6};
    const FeatureMap a = pattern(0, 4), b = pattern(3, 4);
    AddBench bench(l, a, b, 0, p);
    sc_core::sc_start();
    ASSERT_EQ(bench.collector.rows.size(), 3u);
    for (int y = 0; y < 3; ++y)
        for (int i = 0; i < 8; ++i) {
            const int32_t sum = a.data[size_t(y * 8 + i)] + b.data[size_t(y * 8 + i)];
            const int c = i % 2;
            int32_t code = 0;
            for (int j = 0; j < 3; ++j) code += sum >= p.thresholds[size_t(c * 3 + j)];
            EXPECT_EQ(bench.collector.rows[size_t(y)].data[size_t(i)], code) << "row " << y << " value " << i;
        }
    // The threshold unit adds no cycles: 4 a row, as without it.
    EXPECT_EQ(bench.collector.taken_at, (std::vector<uint64_t>{4, 8, 12}));
}

TEST(ConcatUnit, PutsTheSecondInputsChannelsAfterTheFirstsAtEveryPixel) {
    // 2 unsigned channels and 1 bipolar channel: the output is signed, the bipolar code as its value.
    LayerConfig l = adder(Encoding::Unsigned, Encoding::Bipolar, 3);
    l.type = LayerType::Concat;
    l.in2_channels = 1;
    l.concat_inputs = {{2, Encoding::Unsigned, 2}, {1, Encoding::Bipolar, 1}};
    l.out = FmShape{3, 4, 3};
    l.out_encoding = Encoding::Signed;
    l.out_bits = 3;
    const FeatureMap a = pattern(0, 4);
    FeatureMap b(FmShape{3, 4, 1});
    for (size_t i = 0; i < b.data.size(); ++i) b.data[i] = int32_t(i % 2);
    JoinBench<ConcatUnit> bench(l, a, b, 0);
    sc_core::sc_start();
    ASSERT_EQ(bench.collector.rows.size(), 3u);
    for (int y = 0; y < 3; ++y) {
        const StreamRow& r = bench.collector.rows[size_t(y)];
        ASSERT_EQ(r.depth, 3);
        for (int x = 0; x < 4; ++x) {
            EXPECT_EQ(r.data[size_t(x * 3)], a.data[size_t((y * 4 + x) * 2)]);
            EXPECT_EQ(r.data[size_t(x * 3 + 1)], a.data[size_t((y * 4 + x) * 2 + 1)]);
            EXPECT_EQ(r.data[size_t(x * 3 + 2)], 2 * b.data[size_t(y * 4 + x)] - 1);
        }
    }
    // SIMD 3 = a whole pixel a clock: 4 cycles a row.
    EXPECT_EQ(bench.collector.taken_at, (std::vector<uint64_t>{4, 8, 12}));
}

struct ForkBench {
    ForkBench(const LayerConfig& producer, const FeatureMap& fm, uint64_t hold_slow, int slow_depth)
        : feeder("feeder", period, testbench::rows_of(fm, 0), 0),
          in("in", 2),
          fast_fifo("fast", 2),
          slow_fifo("slow", slow_depth),
          fork("producer_fork", producer, 2, period),
          fast("fast_reader", period),
          slow("slow_reader", period, hold_slow) {
        feeder.out(in);
        fork.in(in);
        fork.out[0](fast_fifo);
        fork.out[1](slow_fifo);
        fast.in(fast_fifo);
        slow.in(slow_fifo);
    }
    const sc_core::sc_time period = testbench::test_period();
    RowFeeder feeder;
    RowFifo in, fast_fifo, slow_fifo;
    StreamFork fork;
    RowCollector fast, slow;
};

LayerConfig producer() {
    LayerConfig l;
    l.name = "producer";
    l.out = FmShape{3, 4, 2};
    return l;
}

TEST(StreamFork, CopiesEveryRowToEveryBranchAtOnePixelAClock) {
    const FeatureMap fm = pattern(0, 4);
    ForkBench bench(producer(), fm, 0, 2);
    sc_core::sc_start();
    ASSERT_EQ(bench.fast.rows.size(), 3u);
    ASSERT_EQ(bench.slow.rows.size(), 3u);
    for (size_t y = 0; y < 3; ++y) {
        EXPECT_EQ(bench.fast.rows[y].data, bench.slow.rows[y].data);
        EXPECT_EQ(bench.fast.rows[y].data, testbench::rows_of(fm, 0)[y].data);
    }
    // W = 4 cycles a row.
    EXPECT_EQ(bench.fork.stats().busy_cycles, 12u);
    EXPECT_EQ(bench.fast.taken_at, (std::vector<uint64_t>{4, 8, 12}));
}

TEST(StreamFork, AFullBranchHoldsTheOtherBack) {
    // Five rows; the slow reader holds each row 50 cycles and its FIFO takes one row: the fork
    // waits on it, so the fast branch receives rows only as the slow one frees space.
    FeatureMap fm(FmShape{5, 4, 2});
    for (size_t i = 0; i < fm.data.size(); ++i) fm.data[i] = int32_t(i % 4);
    LayerConfig p = producer();
    p.out = fm.shape;
    ForkBench bench(p, fm, 50, 1);
    sc_core::sc_start();
    ASSERT_EQ(bench.fast.rows.size(), 5u);
    ASSERT_EQ(bench.slow.rows.size(), 5u);
    // The slow reader takes a row every 50 cycles. Rows 0-2 leave the fork 4 cycles apart (row 1
    // waits in the slow FIFO); row 2 then waits for the slow FIFO until 54, so row 3 reaches the
    // fast branch at 58 and row 4, after waiting again, at 108.
    EXPECT_EQ(bench.slow.taken_at, (std::vector<uint64_t>{4, 54, 104, 154, 204}));
    EXPECT_EQ(bench.fast.taken_at, (std::vector<uint64_t>{4, 8, 12, 58, 108}));
    EXPECT_EQ(bench.fork.stats().blocked_cycles, (54u - 12u) + (104u - 58u) + (154u - 108u));
}

}  // namespace graph_blocks_test
}  // namespace qsim
