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
    trace_ = TraceRecorder::active();
    if (trace_ != nullptr) track_ = trace_->add_block(stats_.name, stats_.layer, stats_.role, period_);
}

void TimedBlock::enter(TraceState s) {
    if (trace_ != nullptr) trace_->state(track_, s);
}

void TimedBlock::leave(TraceState s, const sc_core::sc_time& t0, uint64_t cycles) {
    if (trace_ == nullptr) return;
    trace_->state(track_, TraceState::Idle);
    trace_->span(track_, s, t0, cycles);
}

namespace {

// std::llround(x) for the kernel times in periods (x >= 0): the nearest integer, halves away
// from zero. x - trunc(x) is exact in floating point, so the comparison with 0.5 decides as
// llround does, without the library call (twice a wait).
inline uint64_t round_cycles(double x) {
    if (!(x >= 0 && x < 9.2e18)) return uint64_t(std::llround(x));
    const uint64_t whole = uint64_t(x);
    return x - double(whole) >= 0.5 ? whole + 1 : whole;
}

}  // namespace

uint64_t TimedBlock::now_cycles() const {
    return round_cycles(now() / period_);
}

uint64_t TimedBlock::cycles_since(const sc_core::sc_time& t0) const {
    const sc_core::sc_time& t = now();
    if (t == t0) return 0;
    return round_cycles(t / period_) - round_cycles(t0 / period_);
}

namespace {

// "fifo name (occupancy/depth rows)" of the channel bound to a port.
std::string channel_state(const sc_core::sc_port_base& port) {
    auto* fifo = dynamic_cast<const RowFifo*>(port.get_interface());
    if (fifo == nullptr) return port.name();
    return std::string(fifo->name()) + " (" + std::to_string(fifo->size()) + "/" + std::to_string(fifo->depth()) +
           " rows)";
}

}  // namespace

std::string TimedBlock::waiting_for() const {
    switch (waiting_) {
        case Waiting::None: return std::string();
        case Waiting::Data: return "data from " + channel_state(*waiting_port_);
        case Waiting::Space: return "space in " + channel_state(*waiting_port_);
        case Waiting::Text: return waiting_text_;
        case Waiting::Lazy: return waiting_lazy_();
    }
    return std::string();
}

void TimedBlock::busy(uint64_t cycles) {
    if (cycles == 0) return;
    stats_.busy_cycles += cycles;
    working_ = true;
    if (trace_ == nullptr) {
        sc_core::wait(period_ * double(cycles), simcontext());
    } else {
        const sc_core::sc_time t0 = now();
        enter(TraceState::Busy);
        sc_core::wait(period_ * double(cycles), simcontext());
        leave(TraceState::Busy, t0, cycles);
    }
    working_ = false;
}

StreamRow TimedBlock::take(sc_core::sc_port_b<RowReadIf>& in) {
    const sc_core::sc_time start = now();
    waiting_ = Waiting::Data;
    waiting_port_ = &in;
    enter(TraceState::Starved);
    StreamRow row = in->read();
    waiting_ = Waiting::None;
    const uint64_t waited = cycles_since(start);
    stats_.starved_cycles += waited;
    leave(TraceState::Starved, start, waited);
    ++stats_.rows_in;
    return row;
}

void TimedBlock::give(sc_core::sc_port_b<RowWriteIf>& out, StreamRow row) {
    if (probe_ != nullptr) probe_->add(row);
    const sc_core::sc_time start = now();
    waiting_ = Waiting::Space;
    waiting_port_ = &out;
    enter(TraceState::Blocked);
    out->write(std::move(row));
    waiting_ = Waiting::None;
    const uint64_t waited = cycles_since(start);
    stats_.blocked_cycles += waited;
    leave(TraceState::Blocked, start, waited);
    ++stats_.rows_out;
}

void TimedBlock::wait_event(const sc_core::sc_event& e, bool count_as_blocked) {
    const sc_core::sc_time start = now();
    const TraceState state = count_as_blocked ? TraceState::Blocked : TraceState::Starved;
    enter(state);
    sc_core::wait(e, simcontext());
    waiting_ = Waiting::None;
    const uint64_t waited = cycles_since(start);
    (count_as_blocked ? stats_.blocked_cycles : stats_.starved_cycles) += waited;
    leave(state, start, waited);
}

void TimedBlock::wait_internal(const sc_core::sc_event& e, bool count_as_blocked, const char* what) {
    waiting_ = Waiting::Text;
    waiting_text_ = what;
    wait_event(e, count_as_blocked);
}

void TimedBlock::wait_internal(const sc_core::sc_event& e, bool count_as_blocked, std::function<std::string()> what) {
    waiting_ = Waiting::Lazy;
    waiting_lazy_ = std::move(what);
    wait_event(e, count_as_blocked);
}

void TimedBlock::frame_done(int frame) {
    if (int(stats_.frame_done_cycle.size()) <= frame) stats_.frame_done_cycle.resize(frame + 1, 0);
    stats_.frame_done_cycle[frame] = now_cycles();
    if (trace_ != nullptr && (stats_.role == "sink" || stats_.role == "loopback")) trace_->frame_left(frame);
}

void TimedBlock::frame_started(int frame) {
    if (trace_ != nullptr) trace_->frame_entered(frame);
}

}  // namespace qsim
