// Sliding-window unit (ch. 4.4.2, Fig. 4.1; FINN): turns the streamed input feature map into
// rows of the image matrix (K x K x C windows) for the MVTU or pooling unit behind it.
// Two concurrent sides share a line buffer of `swu_buffer_rows` input rows:
//   - the write side accepts input rows (W_in * ceil(C/SIMD) cycles each) while there is room;
//   - the read side emits an output row of windows once the K rows it covers have arrived
//     (ceil(W_out/MMV) * K*K*ceil(C/SIMD) cycles) and frees the rows no later window needs.
// The next frame's rows flow in while the last windows of a frame are still being read.
#pragma once

#include <deque>

#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class SlidingWindowUnit : public sc_core::sc_module {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(SlidingWindowUnit);
    SlidingWindowUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period);

    const BlockStats& write_side_stats() const { return writer_.stats(); }
    const BlockStats& read_side_stats() const { return reader_.stats(); }
    int peak_buffered_rows() const { return peak_rows_; }
    std::string waiting_for() const;
    bool working() const { return writer_.working() || reader_.working(); }

private:
    struct BufferedRow {
        int frame;
        int row;
        std::vector<int32_t> data;
    };

    // The two sides are separate timed blocks so their busy / stall time is kept apart.
    class Side : public TimedBlock {
    public:
        Side(sc_core::sc_module_name n, sc_core::sc_time period, const std::string& layer,
             const char* role)
            : TimedBlock(n, period, layer, role) {}
        using TimedBlock::busy;
        using TimedBlock::frame_done;
        using TimedBlock::give;
        using TimedBlock::take;
        using TimedBlock::wait_internal;
    };

    void accept_rows();   // input stream -> line buffer (write side)
    void emit_windows();  // line buffer -> windows (read side)
    bool delivered(int frame, int row) const;
    bool droppable(int frame, int row) const;
    const int32_t* find_row(int frame, int row) const;
    void release_below(int frame, int row);

    LayerConfig layer_;
    int capacity_;
    Side writer_;
    Side reader_;
    std::deque<BufferedRow> buffer_;
    int peak_rows_ = 0;
    int last_frame_in_ = -1, last_row_in_ = -1;  // newest row accepted from the stream
    int window_frame_ = 0, free_below_ = 0;       // rows of window_frame_ below free_below_ are done
    sc_core::sc_event row_added_, row_freed_;
    bool reader_waiting_ = false, writer_waiting_ = false;  // for row_added_ / row_freed_
    TraceRecorder* trace_ = nullptr;  // the line buffer's fill track, when a timeline is recorded
    uint32_t fill_track_ = 0;
};

}  // namespace qsim
