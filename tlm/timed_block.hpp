// Base of every timed SystemC block: it owns the clock period (passed as a value; no
// sc_clock is ticked), annotates work as `busy(cycles)`, and measures the time it waits on
// its streams: starved (input empty) and blocked (output full or internal buffer full).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "tlm/row_fifo.hpp"
#include "tlm/trace_recorder.hpp"

namespace qsim {

struct BlockStats {
    std::string name;    // hierarchical module name, e.g. "accel.conv2.mvtu"
    std::string layer;   // layer the block belongs to ("" for source / sink)
    std::string role;    // "source", "swu_read", "swu_write", "mvtu", "pool", "global_pool", "sink"
    uint64_t busy_cycles = 0;
    uint64_t starved_cycles = 0;
    uint64_t blocked_cycles = 0;
    uint64_t rows_in = 0;
    uint64_t rows_out = 0;
    uint64_t useful_ops = 0;   // MACs (compute) or comparisons (pool) actually needed
    uint64_t lane_cycles = 0;  // lanes x busy cycles: the work the hardware could have done
    std::vector<uint64_t> frame_done_cycle;  // cycle at which each frame's last row left
};

// Sets the kernel time resolution to 1 fs once per process, so clock periods such as
// 1/185 MHz are represented to 1e-7 relative accuracy.
void ensure_time_resolution();

class TimedBlock : public sc_core::sc_module {
public:
    const BlockStats& stats() const { return stats_; }
    // What the block's thread is waiting for right now (for deadlock diagnosis), "" when it is
    // not waiting. Formatted when asked: the blocks wait on every row, the diagnosis is rare.
    std::string waiting_for() const;
    // True while the block is doing timed work (not waiting on a stream or buffer).
    bool working() const { return working_; }
    // Copies every row the block emits into `probe` (tests compare them with the golden
    // reference). Null disables recording.
    void set_probe(RowProbe* probe) { probe_ = probe; }

protected:
    TimedBlock(sc_core::sc_module_name name, sc_core::sc_time period, std::string layer,
               std::string role);

    void busy(uint64_t cycles);
    StreamRow take(sc_core::sc_port_b<RowReadIf>& in);
    void give(sc_core::sc_port_b<RowWriteIf>& out, StreamRow row);
    // Waits on an internal event (e.g. a line buffer), counted as `blocked` or `starved`.
    // `what` says what for (waiting_for()): a fixed text, or a function that formats it when
    // asked (from the state it captures and the block's state then).
    void wait_internal(const sc_core::sc_event& e, bool count_as_blocked, const char* what);
    void wait_internal(const sc_core::sc_event& e, bool count_as_blocked, std::function<std::string()> what);
    void frame_done(int frame);
    // The source (or a block that takes whole frames) starts a frame: the timeline's marker.
    void frame_started(int frame);
    uint64_t now_cycles() const;

    sc_core::sc_time period_;
    BlockStats stats_;
    bool working_ = false;
    RowProbe* probe_ = nullptr;

private:
    // The kernel's time (sc_time_stamp() without the call).
    const sc_core::sc_time& now() const { return simcontext()->time_stamp(); }
    // Cycles from `t0` to now: 0 when no time passed (no division, no rounding on the hot path),
    // else now_cycles() less the cycle `t0` rounds to, as before.
    uint64_t cycles_since(const sc_core::sc_time& t0) const;
    void wait_event(const sc_core::sc_event& e, bool count_as_blocked);

    // What the thread waits for: nothing, a port's channel (data or space), or a text.
    enum class Waiting : uint8_t { None, Data, Space, Text, Lazy };
    Waiting waiting_ = Waiting::None;
    const sc_core::sc_port_base* waiting_port_ = nullptr;
    const char* waiting_text_ = nullptr;
    std::function<std::string()> waiting_lazy_;

    // The timeline, when one is recorded: each state's span as the statistics count it.
    void enter(TraceState s);
    void leave(TraceState s, const sc_core::sc_time& t0, uint64_t cycles);
    TraceRecorder* trace_ = nullptr;
    uint32_t track_ = 0;
};

}  // namespace qsim
