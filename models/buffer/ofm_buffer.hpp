// OFM buffer of a layer whose PEs are reused R times (ch. 4.5.1, Fig. 4.2): block RAM between
// the layer's MVTU and the next layer. Rows of passes 0..R-2 (N/R channels each) are written
// into it as the MVTU produces them; during the last pass every arriving row is merged with
// its stored groups and the complete row goes on to the next layer. The BRAM ports keep up
// with the MVTU, so the buffer adds no cycles of its own: the throughput cost of reuse is the
// MVTU's R passes, and the buffer's cost is its storage (eq. 4.7; models/resources).
#pragma once

#include "models/buffer/ofm_store.hpp"
#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class OfmBuffer : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(OfmBuffer);
    OfmBuffer(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period);

    // Values held now and at most (one value = one channel of one pixel).
    uint64_t held_values() const { return store_.held_values(); }
    uint64_t peak_values() const { return store_.peak_values(); }
    // What the buffer is sized for: (R-1)/R of the layer's OFM.
    uint64_t capacity_values() const;

private:
    void run();
    LayerConfig layer_;
    OfmStore store_;
    TraceRecorder* trace_ = nullptr;  // the buffer's fill track (values), when a timeline is recorded
    uint32_t fill_track_ = 0;
};

}  // namespace qsim
