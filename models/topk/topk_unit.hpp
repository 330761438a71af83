// Label-select unit (type topk, FINN's LabelSelect): reads a 1 x 1 x C vector (class scores,
// raw accumulators included), SIMD values a clock into the lanes' sorted lists
// (topk_kernel), and emits the k best channels' indices, the best first, one a clock, as a
// 1 x 1 x k row of unsigned codes.
#pragma once

#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class TopKUnit : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(TopKUnit);
    TopKUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period);

private:
    void run();
    LayerConfig layer_;
};

}  // namespace qsim
