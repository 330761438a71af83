// Testbench blocks for module tests: a feeder that streams prepared rows (one every `gap`
// cycles, as fast as backpressure allows), a collector that records every row it takes
// and when, optionally pausing `hold` cycles after each row to create backpressure, and a
// BlockBench that wires one block under test between the two.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <systemc>

#include "models/common/feature_map.hpp"
#include "tlm/timed_block.hpp"

namespace qsim::testbench {

class RowFeeder : public TimedBlock {
public:
    sc_core::sc_port<RowWriteIf> out;
    SC_HAS_PROCESS(RowFeeder);
    RowFeeder(sc_core::sc_module_name n, sc_core::sc_time period, std::vector<StreamRow> rows, uint64_t gap)
        : TimedBlock(n, period, "", "feeder"), out("out"), rows_(std::move(rows)), gap_(gap) {
        SC_THREAD(run);
    }
    std::vector<uint64_t> sent_at;  // cycle each row entered the FIFO

private:
    void run() {
        for (auto& r : rows_) {
            busy(gap_);
            give(out, std::move(r));
            sent_at.push_back(now_cycles());
        }
    }
    std::vector<StreamRow> rows_;
    uint64_t gap_;
};

class RowCollector : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    SC_HAS_PROCESS(RowCollector);
    RowCollector(sc_core::sc_module_name n, sc_core::sc_time period, uint64_t hold = 0)
        : TimedBlock(n, period, "", "collector"), in("in"), hold_(hold) {
        SC_THREAD(run);
    }
    std::vector<StreamRow> rows;
    std::vector<uint64_t> taken_at;  // cycle each row was taken

private:
    void run() {
        for (;;) {
            rows.push_back(take(in));
            taken_at.push_back(now_cycles());
            busy(hold_);
        }
    }
    uint64_t hold_;
};

// Rows of a feature map as a stream, frame by frame.
inline std::vector<StreamRow> rows_of(const FeatureMap& fm, int frame) {
    std::vector<StreamRow> rows;
    const size_t row_len = size_t(fm.shape.width) * fm.shape.channels;
    for (int y = 0; y < fm.shape.height; ++y) {
        StreamRow r;
        r.frame = frame;
        r.row = y;
        r.pixels = fm.shape.width;
        r.depth = fm.shape.channels;
        r.data.assign(fm.data.begin() + ptrdiff_t(y * row_len), fm.data.begin() + ptrdiff_t((y + 1) * row_len));
        rows.push_back(std::move(r));
    }
    return rows;
}

inline sc_core::sc_time test_period() {
    ensure_time_resolution();
    return sc_core::sc_time(10, sc_core::SC_NS);  // 100 MHz
}

// How a BlockBench feeds and drains its block: the feeder's gap between rows, the depth of
// both FIFOs, and the collector's hold after each row (see RowFeeder and RowCollector).
struct BenchPace {
    uint64_t gap = 0;
    int fifo_depth = 2;
    uint64_t hold = 0;
};

// A block under test between a feeder and a collector, wired on construction:
// feeder -> FIFO "in" -> block -> FIFO "out" -> collector. The test then calls
// sc_core::sc_start() and inspects the members. The block is built as
// Block(name, block_args..., period).
template <class Block>
struct BlockBench {
    template <class... Args>
    BlockBench(std::vector<StreamRow> rows, BenchPace pace, const char* name, const Args&... block_args)
        : feeder("feeder", period, std::move(rows), pace.gap),
          in("in", pace.fifo_depth),
          out("out", pace.fifo_depth),
          block(name, block_args..., period),
          collector("collector", period, pace.hold) {
        feeder.out(in);
        block.in(in);
        block.out(out);
        collector.in(out);
    }
    const sc_core::sc_time period = test_period();  // first: it sets the time resolution
    RowFeeder feeder;
    RowFifo in, out;
    Block block;
    RowCollector collector;
};

}  // namespace qsim::testbench
