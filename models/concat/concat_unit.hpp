// Channel concatenation (a join, FINN's StreamingConcat): takes the same row of the same frame
// from every input (two or more) and emits one row with the first input's channels, then the
// second's, and so on, at every pixel (concat_kernel). Like the adder it advances its inputs
// together, so a path that reaches it first must buffer what the others are still computing
// (docs/graphs.md).
#pragma once

#include "models/network/network_config.hpp"
#include "tlm/join_block.hpp"

namespace qsim {

class ConcatUnit : public JoinBlock {
public:
    SC_HAS_PROCESS(ConcatUnit);
    ConcatUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period);

private:
    void run();
    LayerConfig layer_;
};

}  // namespace qsim
