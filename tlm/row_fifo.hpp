// Bounded FIFO of StreamRows between blocks, with backpressure: a writer blocks while the
// FIFO is full, a reader while it is empty. Keeps the statistics the report needs
// (peak occupancy, rows moved) and who is waiting, for deadlock diagnosis.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include <systemc>

#include "tlm/stream_row.hpp"

namespace qsim {

class TraceRecorder;

class RowReadIf : public virtual sc_core::sc_interface {
public:
    virtual StreamRow read() = 0;
};

class RowWriteIf : public virtual sc_core::sc_interface {
public:
    virtual void write(StreamRow row) = 0;
};

struct FifoStats {
    std::string name;
    int depth = 0;
    int peak = 0;           // highest occupancy seen, in rows
    uint64_t rows = 0;      // rows written
};

class RowFifo : public sc_core::sc_prim_channel, public RowReadIf, public RowWriteIf {
public:
    RowFifo(const char* name, int depth);

    StreamRow read() override;
    void write(StreamRow row) override;

    int size() const { return int(queue_.size()); }
    int depth() const { return depth_; }
    bool reader_waiting() const { return readers_waiting_ > 0; }
    bool writer_waiting() const { return writers_waiting_ > 0; }
    FifoStats stats() const;
    const char* kind() const override { return "qsim::RowFifo"; }

private:
    int depth_;
    std::deque<StreamRow> queue_;
    sc_core::sc_event written_;
    sc_core::sc_event read_;
    int readers_waiting_ = 0;  // threads in read() waiting for a row (the events are notified
    int writers_waiting_ = 0;  // only when someone waits for them)
    int peak_ = 0;
    uint64_t rows_ = 0;
    TraceRecorder* trace_ = nullptr;  // the timeline's fill track, when one is recorded
    uint32_t track_ = 0;
};

}  // namespace qsim
