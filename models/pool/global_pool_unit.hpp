// Global pooling unit: keeps a running maximum (global_maxpool, seed 000: replaces large FC
// layers) or sum (global_avgpool, FINN's GlobalAccPool) per channel as the feature-map rows
// stream in (one pixel word of SIMD channels per clock) and emits a 1 x 1 x C row when the
// frame's last row has arrived.
#pragma once

#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class GlobalPoolUnit : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(GlobalPoolUnit);
    GlobalPoolUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period);

private:
    void run();
    LayerConfig layer_;
};

}  // namespace qsim
