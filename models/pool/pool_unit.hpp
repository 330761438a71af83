// Max-pooling unit fed by a sliding-window unit (ch. 4.6.2: SWUs also feed pooling units).
// Compares one window word (SIMD channels) per clock.
#pragma once

#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class PoolUnit : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(PoolUnit);
    PoolUnit(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period);

private:
    void run();
    LayerConfig layer_;
};

}  // namespace qsim
