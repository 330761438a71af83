#include "models/swu/sliding_window_unit.hpp"

#include "models/common/timing_only.hpp"

#include <algorithm>
#include <string>

#include "models/swu/swu_timing.hpp"
#include "models/swu/window_kernel.hpp"

namespace qsim {

SlidingWindowUnit::SlidingWindowUnit(sc_core::sc_module_name name, const LayerConfig& layer,
                                     sc_core::sc_time period)
    : sc_core::sc_module(name),
      in("in"),
      out("out"),
      layer_(layer),
      capacity_(swu_buffer_rows(layer)),
      writer_("write_side", period, layer.name, "swu_write"),
      reader_("read_side", period, layer.name, "swu_read") {
    SC_THREAD(accept_rows);
    SC_THREAD(emit_windows);
    trace_ = TraceRecorder::active();
    if (trace_ != nullptr)
        fill_track_ = trace_->add_fill(std::string(this->name()) + ".line_buffer", "line buffer", "rows", capacity_);
}

std::string SlidingWindowUnit::waiting_for() const {
    std::string w = writer_.waiting_for(), r = reader_.waiting_for();
    if (!w.empty() && !r.empty()) return "write side: " + w + "; read side: " + r;
    return w.empty() ? r : w;
}

bool SlidingWindowUnit::delivered(int frame, int row) const {
    return last_frame_in_ > frame || (last_frame_in_ == frame && last_row_in_ >= row);
}

bool SlidingWindowUnit::droppable(int frame, int row) const {
    return frame < window_frame_ || (frame == window_frame_ && row < free_below_);
}

const int32_t* SlidingWindowUnit::find_row(int frame, int row) const {
    for (const auto& r : buffer_)
        if (r.frame == frame && r.row == row) return r.data.data();
    return nullptr;
}

void SlidingWindowUnit::release_below(int frame, int row) {
    window_frame_ = frame;
    free_below_ = row;
    const size_t before = buffer_.size();
    // The rows are held in stream order and droppable() holds for every row before a given
    // one: the rows to drop are the oldest.
    while (!buffer_.empty() && droppable(buffer_.front().frame, buffer_.front().row)) {
        RowStoragePool::give(std::move(buffer_.front().data));
        buffer_.pop_front();
    }
    // The events are notified only when the other side waits for them: each side checks the
    // shared state before it waits, so a later wait in the same delta has seen the change.
    if (buffer_.size() != before && writer_waiting_) row_freed_.notify(sc_core::SC_ZERO_TIME);
    if (trace_ != nullptr) trace_->fill(fill_track_, int64_t(buffer_.size()));
}

void SlidingWindowUnit::accept_rows() {
    const uint64_t cycles = swu_input_cycles_per_row(layer_);
    for (;;) {
        while (int(buffer_.size()) >= capacity_) {
            writer_waiting_ = true;
            writer_.wait_internal(row_freed_, true, [this] {
                return "space in the line buffer (" + std::to_string(buffer_.size()) + "/" + std::to_string(capacity_) +
                       " rows)";
            });
            writer_waiting_ = false;
        }
        StreamRow row = writer_.take(in);
        writer_.busy(cycles);
        last_frame_in_ = row.frame;
        last_row_in_ = row.row;
        if (!droppable(row.frame, row.row)) {
            buffer_.push_back(BufferedRow{row.frame, row.row, std::move(row.data)});
            peak_rows_ = std::max(peak_rows_, int(buffer_.size()));
            if (trace_ != nullptr) trace_->fill(fill_track_, int64_t(buffer_.size()));
        }
        if (row.row == layer_.in.height - 1) writer_.frame_done(row.frame);
        if (reader_waiting_) row_added_.notify(sc_core::SC_ZERO_TIME);
    }
}

void SlidingWindowUnit::emit_windows() {
    const uint64_t cycles = swu_window_cycles_per_row(layer_);
    const int K = layer_.kernel;
    const int window_length = layer_.window_area() * layer_.in.channels;
    std::vector<const int32_t*> rows(size_t(K), nullptr);
    for (int f = 0;; ++f) {
        // With PE reuse the frame's windows go out once per pass; rows are kept until the last.
        for (int pass = 0; pass < layer_.reuse; ++pass) {
            const bool last_pass = pass + 1 == layer_.reuse;
            for (int r = 0; r < layer_.out.height; ++r) {
                const int first = swu_first_input_row(layer_, r);
                const int last = std::min(first + K - 1, layer_.in.height - 1);
                while (!delivered(f, last)) {
                    reader_waiting_ = true;
                    reader_.wait_internal(row_added_, false, [this, last, f] {
                        return "input row " + std::to_string(last) + " of frame " + std::to_string(f) +
                               " in the line buffer (" + std::to_string(buffer_.size()) + "/" +
                               std::to_string(capacity_) + " rows held)";
                    });
                    reader_waiting_ = false;
                }
                for (int ky = 0; ky < K; ++ky) {
                    const int iy = first + ky;
                    if (iy < 0 || iy >= layer_.in.height) {
                        rows[size_t(ky)] = nullptr;
                    } else if ((rows[size_t(ky)] = find_row(f, iy)) == nullptr) {
                        SC_REPORT_FATAL(name(), ("row " + std::to_string(iy) + " of frame " + std::to_string(f) +
                                                 " missing from the line buffer").c_str());
                    }
                }
                StreamRow windows;
                // The decompressor-fed and SYQ units compute even then (their timing reads weights).
                if (timing_only() && !layer_.has_special_unit()) {
                    windows.frame = f;  // no values: only when the row moves matters
                    windows.row = r;
                    windows.pixels = layer_.out.width;
                } else {
                    windows = StreamRow::sized(f, r, layer_.out.width, window_length);
                    build_window_row(layer_, rows.data(), windows.data.data());
                }
                windows.pass = pass;
                reader_.busy(cycles);
                reader_.give(out, std::move(windows));
                // Rows above the next window's first row are no longer needed.
                if (last_pass) release_below(f, swu_first_input_row(layer_, r + 1));
            }
        }
        reader_.frame_done(f);
        release_below(f + 1, 0);
    }
}

}  // namespace qsim
