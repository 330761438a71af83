// Testbench blocks for module tests: a feeder that streams prepared rows (one every `gap`
// cycles, as fast as backpressure allows) and a collector that records every row it takes
// and when, optionally pausing `hold` cycles after each row to create backpressure.
#pragma once

#include <vector>

#include <systemc>

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

}  // namespace qsim::testbench
