#include "tlm/trace_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace qsim {

namespace {
TraceRecorder* g_active = nullptr;

// A kernel time in femtoseconds, whatever the kernel's resolution.
uint64_t fs(const sc_core::sc_time& t) {
    static const uint64_t per_unit = uint64_t(std::llround(sc_core::sc_get_time_resolution().to_seconds() * 1e15));
    return t.value() * per_unit;
}
uint64_t now_fs() { return fs(sc_core::sc_time_stamp()); }
}  // namespace

const char* trace_state_name(TraceState s) {
    switch (s) {
        case TraceState::Idle: return "idle";
        case TraceState::Busy: return "busy";
        case TraceState::Starved: return "starved";
        case TraceState::Blocked: return "blocked";
    }
    return "?";
}

TraceRecorder::TraceRecorder(int first_frame, int last_frame, uint64_t max_records)
    : first_(first_frame), last_(last_frame), max_records_(max_records) {
    if (first_frame < 0 || last_frame < first_frame)
        throw std::invalid_argument("trace window: frames " + std::to_string(first_frame) + ".." +
                                    std::to_string(last_frame) + " (expected 0 <= first <= last)");
    // The whole run: open from time zero, so that the spans add up to the blocks' statistics.
    if (first_ == 0 && last_ == kAllFrames) open_ = true;
}

TraceRecorder::~TraceRecorder() {
    close_vcd();
    if (g_active == this) g_active = nullptr;
}

TraceRecorder* TraceRecorder::active() { return g_active; }
void TraceRecorder::set_active(TraceRecorder* recorder) { g_active = recorder; }

uint32_t TraceRecorder::add_track(TraceTrack track) {
    tracks_.push_back(std::move(track));
    last_fill_.push_back(0);
    vcd_values_.push_back(std::make_unique<int>(0));
    return uint32_t(tracks_.size() - 1);
}

uint32_t TraceRecorder::add_block(const std::string& name, const std::string& layer, const std::string& role,
                                  sc_core::sc_time period) {
    TraceTrack t;
    t.name = name;
    t.layer = layer;
    t.role = role;
    t.period = period;
    return add_track(std::move(t));
}

uint32_t TraceRecorder::add_fill(const std::string& name, const std::string& role, const std::string& unit,
                                 int64_t capacity) {
    TraceTrack t{name, TrackKind::Fill, "", role, unit, capacity, sc_core::SC_ZERO_TIME};
    return add_track(std::move(t));
}

uint32_t TraceRecorder::add_link(const std::string& name) {
    TraceTrack t{name, TrackKind::Link, "", "link", "", 0, sc_core::SC_ZERO_TIME};
    return add_track(std::move(t));
}

bool TraceRecorder::take_record() {
    if (full_) return false;
    if (records_ >= max_records_) {
        full_ = true;
        end_fs_ = std::min(end_fs_, now_fs());
        return false;
    }
    ++records_;
    return true;
}

bool TraceRecorder::in_window(uint64_t t_fs) const { return open_ && t_fs >= start_fs_ && t_fs <= end_fs_; }

void TraceRecorder::span(uint32_t track, TraceState state, const sc_core::sc_time& t0, uint64_t cycles) {
    uint64_t a = fs(t0);
    uint64_t b = now_fs();
    if (!open_ || full_ || b <= start_fs_ || a >= end_fs_ || b <= a) return;
    if (a < start_fs_ || b > end_fs_) {  // cut at the window's edges
        a = std::max(a, start_fs_);
        b = std::min(b, end_fs_);
        cycles = uint64_t(std::llround(double(b - a) / double(fs(tracks_[track].period))));
    }
    if (!take_record()) return;
    spans_.push_back(TraceSpan{track, state, a, b, cycles});
}

void TraceRecorder::fill(uint32_t track, int64_t value) {
    if (last_fill_[track] == value) return;
    last_fill_[track] = value;
    const uint64_t now = now_fs();
    if (!in_window(now) || closed_) return;
    *vcd_values_[track] = int(std::min<int64_t>(value, std::numeric_limits<int>::max()));
    if (!take_record()) return;
    counts_.push_back(TraceCount{track, now, value});
}

void TraceRecorder::transfer(uint32_t track, const sc_core::sc_time& t0, const sc_core::sc_time& t1, bool write,
                             uint64_t address, uint64_t bytes) {
    const uint64_t a = fs(t0), b = fs(t1);
    if (!open_ || full_ || b < start_fs_ || a > end_fs_) return;
    if (!take_record()) return;
    transfers_.push_back(TraceTransfer{track, a, b, write, address, bytes});
    *vcd_values_[track] += write ? 1 : 0;  // transfers so far, host to device
}

void TraceRecorder::frame_entered(int frame) {
    const uint64_t now = now_fs();
    if (!open_ && frame == first_) {
        open_ = true;
        start_fs_ = now;
        // The fills as they stand when the window opens.
        for (uint32_t t = 0; t < tracks_.size(); ++t)
            if (tracks_[t].kind == TrackKind::Fill && take_record()) {
                counts_.push_back(TraceCount{t, now, last_fill_[t]});
                *vcd_values_[t] = int(std::min<int64_t>(last_fill_[t], std::numeric_limits<int>::max()));
            }
    }
    if (in_window(now) && !closed_ && take_record()) marks_.push_back({"frame " + std::to_string(frame) + " in", now});
}

void TraceRecorder::frame_left(int frame) {
    const uint64_t now = now_fs();
    if (in_window(now) && !closed_ && take_record()) marks_.push_back({"frame " + std::to_string(frame) + " out", now});
    if (open_ && !closed_ && frame >= last_) {
        closed_ = true;
        end_fs_ = now;
    }
}

void TraceRecorder::state(uint32_t track, TraceState s) {
    if (vcd_ == nullptr || closed_ || !in_window(now_fs())) return;
    *vcd_values_[track] = int(s);
}

void TraceRecorder::open_vcd(const std::string& base) {
    vcd_ = sc_core::sc_create_vcd_trace_file(base.c_str());
    if (vcd_ == nullptr) throw std::runtime_error(base + ".vcd: cannot create the VCD file");
    for (uint32_t t = 0; t < tracks_.size(); ++t) {
        std::string signal = tracks_[t].name;
        std::replace(signal.begin(), signal.end(), ' ', '_');
        if (tracks_[t].kind == TrackKind::Block) signal += ".state";
        if (tracks_[t].kind == TrackKind::Fill) signal += ".fill";
        if (tracks_[t].kind == TrackKind::Link) signal += ".h2d_transfers";
        sc_core::sc_trace(vcd_, *vcd_values_[t], signal);
    }
}

void TraceRecorder::close_vcd() {
    if (vcd_ == nullptr) return;
    sc_core::sc_close_vcd_trace_file(vcd_);
    vcd_ = nullptr;
}

}  // namespace qsim
