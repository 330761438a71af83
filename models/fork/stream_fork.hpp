// Stream duplicator (FINN's DuplicateStreams): after a layer whose output several layers read,
// it takes each row once and writes a copy to every branch FIFO, in branch order. A full
// branch holds the others back: with reconvergent branches (a residual block), the branch
// that reaches the join first must buffer what the other is still computing (docs/graphs.md).
#pragma once

#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class StreamFork : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_vector<sc_core::sc_port<RowWriteIf>> out;  // one per branch

    SC_HAS_PROCESS(StreamFork);
    // `producer` is the layer whose rows fork; `branches` the number of readers.
    StreamFork(sc_core::sc_module_name name, const LayerConfig& producer, int branches, sc_core::sc_time period);

private:
    void run();
    LayerConfig producer_;
};

}  // namespace qsim
