#include "tlm/timed_block.hpp"

#include <cmath>
#include <utility>

namespace qsim {

void ensure_time_resolution() {
    static bool done = false;
    if (!done) {
        sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
        done = true;
    }
}

TimedBlock::TimedBlock(sc_core::sc_module_name name, sc_core::sc_time period, std::string layer,
                       std::string role)
    : sc_core::sc_module(name), period_(period) {
    stats_.name = this->name();
    stats_.layer = std::move(layer);
    stats_.role = std::move(role);
}

uint64_t TimedBlock::now_cycles() const {
    return uint64_t(std::llround(sc_core::sc_time_stamp() / period_));
}

namespace {

// "fifo name (occupancy/depth rows)" of the channel bound to a port.
template <class Port>
std::string channel_state(Port& port) {
    auto* fifo = dynamic_cast<const RowFifo*>(port.get_interface());
    if (fifo == nullptr) return port.name();
    return std::string(fifo->name()) + " (" + std::to_string(fifo->size()) + "/" + std::to_string(fifo->depth()) +
           " rows)";
}

}  // namespace

void TimedBlock::busy(uint64_t cycles) {
    if (cycles == 0) return;
    stats_.busy_cycles += cycles;
    working_ = true;
    sc_core::wait(period_ * double(cycles));
    working_ = false;
}

StreamRow TimedBlock::take(sc_core::sc_port_b<RowReadIf>& in) {
    const uint64_t t0 = now_cycles();
    waiting_for_ = "data from " + channel_state(in);
    StreamRow row = in->read();
    waiting_for_.clear();
    stats_.starved_cycles += now_cycles() - t0;
    ++stats_.rows_in;
    return row;
}

void TimedBlock::give(sc_core::sc_port_b<RowWriteIf>& out, StreamRow row) {
    if (probe_ != nullptr) probe_->add(row);
    const uint64_t t0 = now_cycles();
    waiting_for_ = "space in " + channel_state(out);
    out->write(std::move(row));
    waiting_for_.clear();
    stats_.blocked_cycles += now_cycles() - t0;
    ++stats_.rows_out;
}

void TimedBlock::wait_internal(const sc_core::sc_event& e, bool count_as_blocked, const std::string& what) {
    const uint64_t t0 = now_cycles();
    waiting_for_ = what;
    sc_core::wait(e);
    waiting_for_.clear();
    (count_as_blocked ? stats_.blocked_cycles : stats_.starved_cycles) += now_cycles() - t0;
}

void TimedBlock::frame_done(int frame) {
    if (int(stats_.frame_done_cycle.size()) <= frame) stats_.frame_done_cycle.resize(frame + 1, 0);
    stats_.frame_done_cycle[frame] = now_cycles();
}

}  // namespace qsim
