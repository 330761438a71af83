#include "tlm/row_fifo.hpp"

#include "tlm/trace_recorder.hpp"

#include <stdexcept>
#include <utility>

namespace qsim {

RowFifo::RowFifo(const char* name, int depth) : sc_core::sc_prim_channel(name), depth_(depth) {
    if (depth < 1) throw std::invalid_argument(std::string(name) + ": FIFO depth must be >= 1");
    trace_ = TraceRecorder::active();
    if (trace_ != nullptr) track_ = trace_->add_fill(this->name(), "fifo", "rows", depth);
}

StreamRow RowFifo::read() {
    while (queue_.empty()) {
        reader_waiting_ = true;
        sc_core::wait(written_);
    }
    reader_waiting_ = false;
    StreamRow row = std::move(queue_.front());
    queue_.pop_front();
    if (trace_ != nullptr) trace_->fill(track_, int64_t(queue_.size()));
    read_.notify(sc_core::SC_ZERO_TIME);
    return row;
}

void RowFifo::write(StreamRow row) {
    while (int(queue_.size()) >= depth_) {
        writer_waiting_ = true;
        sc_core::wait(read_);
    }
    writer_waiting_ = false;
    queue_.push_back(std::move(row));
    ++rows_;
    if (int(queue_.size()) > peak_) peak_ = int(queue_.size());
    if (trace_ != nullptr) trace_->fill(track_, int64_t(queue_.size()));
    written_.notify(sc_core::SC_ZERO_TIME);
}

FifoStats RowFifo::stats() const {
    FifoStats s;
    s.name = name();
    s.depth = depth_;
    s.peak = peak_;
    s.rows = rows_;
    return s;
}

}  // namespace qsim
