// Channel concatenation (a join, FINN's StreamingConcat): takes the same row of the same frame
// from both inputs and emits one row with the first input's channels, then the second's, at
// every pixel (concat_kernel). Like the adder it advances both inputs together, so the path
// that reaches it first must buffer what the other is still computing (docs/graphs.md).
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
