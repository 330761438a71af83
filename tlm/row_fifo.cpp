#include "tlm/row_fifo.hpp"

#include <stdexcept>
#include <utility>

namespace qsim {

RowFifo::RowFifo(const char* name, int depth) : sc_core::sc_prim_channel(name), depth_(depth) {
    if (depth < 1) throw std::invalid_argument(std::string(name) + ": FIFO depth must be >= 1");
}

StreamRow RowFifo::read() {
    while (queue_.empty()) {
        reader_waiting_ = true;
        sc_core::wait(written_);
    }
    reader_waiting_ = false;
    StreamRow row = std::move(queue_.front());
    queue_.pop_front();
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
