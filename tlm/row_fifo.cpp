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
        ++readers_waiting_;
        sc_core::wait(written_, simcontext());
        --readers_waiting_;
    }
    StreamRow row = std::move(queue_.front());
    queue_.pop_front();
    if (trace_ != nullptr) trace_->fill(track_, int64_t(queue_.size()));
    // Only a writer already waiting needs to hear of the space: one that comes later in this
    // delta sees it before it would wait (and, were the FIFO full again by then, the delta
    // notification would only wake it to find it full).
    if (writers_waiting_ > 0) read_.notify(sc_core::SC_ZERO_TIME);
    return row;
}

void RowFifo::write(StreamRow row) {
    while (int(queue_.size()) >= depth_) {
        ++writers_waiting_;
        sc_core::wait(read_, simcontext());
        --writers_waiting_;
    }
    queue_.push_back(std::move(row));
    ++rows_;
    if (int(queue_.size()) > peak_) peak_ = int(queue_.size());
    if (trace_ != nullptr) trace_->fill(track_, int64_t(queue_.size()));
    if (readers_waiting_ > 0) written_.notify(sc_core::SC_ZERO_TIME);  // likewise for readers
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
