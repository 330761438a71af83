#include "models/buffer/ofm_buffer.hpp"

#include <string>

namespace qsim {

OfmBuffer::OfmBuffer(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period)
    : TimedBlock(name, period, layer.name, "ofm_buffer"),
      in("in"),
      out("out"),
      layer_(layer),
      store_(layer.reuse, layer.out.channels / layer.reuse, layer.out.width) {
    SC_THREAD(run);
    trace_ = TraceRecorder::active();
    if (trace_ != nullptr)
        fill_track_ = trace_->add_fill(std::string(this->name()) + ".store", "ofm buffer", "values",
                                       int64_t(capacity_values()));
}

uint64_t OfmBuffer::capacity_values() const {
    return uint64_t(layer_.out.height) * uint64_t(layer_.out.width) * uint64_t(layer_.out.channels) /
           uint64_t(layer_.reuse) * uint64_t(layer_.reuse - 1);
}

void OfmBuffer::run() {
    for (;;) {
        StreamRow part = take(in);
        if (part.pass + 1 < layer_.reuse) {
            store_.store(part.frame, part.row, part.pass, std::move(part.data));
            if (store_.held_values() > capacity_values())
                SC_REPORT_FATAL(name(), ("holds " + std::to_string(store_.held_values()) + " values, more than the " +
                                         std::to_string(capacity_values()) + " it is sized for")
                                            .c_str());
            if (trace_ != nullptr) trace_->fill(fill_track_, int64_t(store_.held_values()));
            continue;
        }
        StreamRow row;
        row.frame = part.frame;
        row.row = part.row;
        row.pixels = part.pixels;
        row.depth = layer_.out.channels;
        row.data = store_.complete(part.frame, part.row, part.data);
        if (trace_ != nullptr) trace_->fill(fill_track_, int64_t(store_.held_values()));
        const bool last = row.row == layer_.out.height - 1;
        const int frame = row.frame;
        give(out, std::move(row));
        if (last) frame_done(frame);
    }
}

}  // namespace qsim
