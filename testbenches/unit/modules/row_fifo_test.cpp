// Module tests of the bounded row FIFO: order, backpressure and statistics.
#include <gtest/gtest.h>

#include "testbenches/unit/modules/stream_testbench.hpp"

namespace qsim {
namespace row_fifo_test {

using testbench::RowCollector;
using testbench::RowFeeder;

std::vector<StreamRow> numbered_rows(int n) {
    std::vector<StreamRow> rows;
    rows.resize(size_t(n));
    for (int i = 0; i < n; ++i) {
        rows[size_t(i)].row = i;
        rows[size_t(i)].pixels = 1;
        rows[size_t(i)].depth = 1;
        rows[size_t(i)].data = {i * 7};
    }
    return rows;
}

TEST(RowFifo, SlowConsumerBackpressuresTheProducer) {
    const auto period = testbench::test_period();
    RowFeeder feeder("feeder", period, numbered_rows(10), 0);
    RowFifo fifo("fifo", 3);
    RowCollector collector("collector", period, 10);
    feeder.out(fifo);
    collector.in(fifo);
    sc_core::sc_start();

    ASSERT_EQ(collector.rows.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(collector.rows[size_t(i)].data[0], i * 7);  // order kept
    // The consumer takes one row every 10 cycles; the FIFO holds 3, so the producer must wait.
    for (size_t i = 1; i < collector.taken_at.size(); ++i) EXPECT_EQ(collector.taken_at[i] - collector.taken_at[i - 1], 10u);
    EXPECT_EQ(fifo.stats().peak, 3);
    EXPECT_EQ(fifo.stats().rows, 10u);
    EXPECT_GT(feeder.stats().blocked_cycles, 0u);
    EXPECT_EQ(collector.stats().blocked_cycles, 0u);
    // The 4th row can enter only when the 1st has been taken, and so on.
    EXPECT_EQ(feeder.sent_at[3], collector.taken_at[0]);
    EXPECT_EQ(feeder.sent_at[9], collector.taken_at[6]);
}

TEST(RowFifo, SlowProducerStarvesTheConsumer) {
    const auto period = testbench::test_period();
    RowFeeder feeder("feeder", period, numbered_rows(4), 25);
    RowFifo fifo("fifo", 2);
    RowCollector collector("collector", period, 0);
    feeder.out(fifo);
    collector.in(fifo);
    sc_core::sc_start();
    ASSERT_EQ(collector.taken_at.size(), 4u);
    EXPECT_EQ(collector.taken_at.back(), 100u);
    EXPECT_EQ(collector.stats().starved_cycles, 100u);
    EXPECT_EQ(feeder.stats().blocked_cycles, 0u);
    EXPECT_EQ(fifo.stats().peak, 1);
}

TEST(RowFifo, RejectsZeroDepth) { EXPECT_THROW(RowFifo("bad", 0), std::invalid_argument); }

}  // namespace row_fifo_test
}  // namespace qsim
