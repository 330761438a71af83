// Timeline of one simulation: what each timed block was doing when (busy, starved, blocked),
// how full every FIFO and buffer was, when frames entered and left, and the transactions
// that crossed the host link. Blocks and channels report to the recorder that is active
// while they are constructed (one simulation per process); without one they record nothing
// and pay one pointer test.
//
// Recording is bounded by a window of frames: it opens when the source starts frame `first`
// and closes when the sink has delivered frame `last` (by default the whole run), and by a
// number of records, after which it stops and says so. Spans that straddle the window's
// edges are cut at them. The recorder can also drive SystemC's own VCD tracing: one integer
// per block (its state) and per channel (its fill), changed only inside the window.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

namespace qsim {

enum class TraceState : int { Idle = 0, Busy = 1, Starved = 2, Blocked = 3 };
const char* trace_state_name(TraceState s);

enum class TrackKind { Block, Fill, Link };

struct TraceTrack {
    std::string name;   // hierarchical name, e.g. "accel.conv1.mvtu" or "accel.conv1.fifo"
    TrackKind kind = TrackKind::Block;
    std::string layer;  // blocks: the layer ("" for source and sink)
    std::string role;   // blocks: "mvtu", "swu_read", ...; fills: "fifo", "line buffer", ...
    std::string unit;   // fills: "rows" or "values"
    int64_t capacity = 0;             // fills: what the channel holds at most
    sc_core::sc_time period;          // blocks: their clock period (cycles in the records)
};

struct TraceSpan {
    uint32_t track;
    TraceState state;
    uint64_t t0_fs, t1_fs;  // simulated time, in femtoseconds (the kernel's resolution)
    uint64_t cycles;        // of the block's clock: what its statistics count for this span
};

struct TraceCount {
    uint32_t track;
    uint64_t t_fs;
    int64_t value;
};

struct TraceMark {
    std::string name;  // "frame 3 in", "frame 3 out"
    uint64_t t_fs;
};

struct TraceTransfer {
    uint32_t track;
    uint64_t t0_fs, t1_fs;
    bool write;  // host to device
    uint64_t address, bytes;
};

class TraceRecorder {
public:
    static constexpr int kAllFrames = std::numeric_limits<int>::max();
    // Frames first..last (inclusive; last = kAllFrames: to the end); at most max_records
    // spans, counts, marks and transfers together.
    TraceRecorder(int first_frame, int last_frame, uint64_t max_records);
    ~TraceRecorder();
    TraceRecorder(const TraceRecorder&) = delete;
    TraceRecorder& operator=(const TraceRecorder&) = delete;

    // The recorder blocks and channels constructed from now on report to (null: none).
    static TraceRecorder* active();
    static void set_active(TraceRecorder* recorder);

    // Tracks, registered while the design is elaborated.
    uint32_t add_block(const std::string& name, const std::string& layer, const std::string& role,
                       sc_core::sc_time period);
    uint32_t add_fill(const std::string& name, const std::string& role, const std::string& unit, int64_t capacity);
    uint32_t add_link(const std::string& name);

    // What happens. Times are the kernel's current time unless given.
    void span(uint32_t track, TraceState state, const sc_core::sc_time& t0, uint64_t cycles);
    void fill(uint32_t track, int64_t value);
    void transfer(uint32_t track, const sc_core::sc_time& t0, const sc_core::sc_time& t1, bool write,
                  uint64_t address, uint64_t bytes);
    void frame_entered(int frame);  // the source starts the frame's first row
    void frame_left(int frame);     // the sink has the frame's last row
    // The block's state for the VCD (set on entering a state, Idle on leaving it).
    void state(uint32_t track, TraceState s);

    // SystemC's VCD tracing of every block state and fill; call after elaboration, before
    // sc_start. SystemC writes `base` + ".vcd"; close_vcd() finishes it.
    void open_vcd(const std::string& base);
    void close_vcd();

    // The window's state and the records.
    bool window_open() const { return open_ && !closed_ && !full_; }
    bool truncated() const { return full_; }
    int first_frame() const { return first_; }
    int last_frame() const { return last_; }
    uint64_t window_start_fs() const { return start_fs_; }
    uint64_t window_end_fs() const { return end_fs_; }  // max when not closed
    uint64_t max_records() const { return max_records_; }
    uint64_t records() const { return records_; }
    const std::vector<TraceTrack>& tracks() const { return tracks_; }
    const std::vector<TraceSpan>& spans() const { return spans_; }
    const std::vector<TraceCount>& counts() const { return counts_; }
    const std::vector<TraceMark>& marks() const { return marks_; }
    const std::vector<TraceTransfer>& transfers() const { return transfers_; }

private:
    uint32_t add_track(TraceTrack track);
    bool take_record();
    bool in_window(uint64_t t_fs) const;

    int first_, last_;
    uint64_t max_records_;
    uint64_t records_ = 0;
    bool open_ = false, closed_ = false, full_ = false;
    uint64_t start_fs_ = 0;
    uint64_t end_fs_ = std::numeric_limits<uint64_t>::max();
    std::vector<TraceTrack> tracks_;
    std::vector<TraceSpan> spans_;
    std::vector<TraceCount> counts_;
    std::vector<TraceMark> marks_;
    std::vector<TraceTransfer> transfers_;
    std::vector<int64_t> last_fill_;
    std::vector<std::unique_ptr<int>> vcd_values_;  // per track, stable addresses for sc_trace
    sc_core::sc_trace_file* vcd_ = nullptr;
};

}  // namespace qsim
