// The MVTU of a SYQ row- or pixel-wise scaled conv layer (thesis ch. 5.7.2, Fig. 5.3, Table 5.7):
// FINN's PE x SIMD x MMV folding, a MAC tree per sub-dot product, one scaling multiplier per
// PE and lane fed by the ScalingRingCounter it owns (ring2mul), the accumulator and the
// threshold unit. The scaling multiplier and the ring counter work beside the MAC trees (a
// product every C / SIMD folds), so a row takes the same clocks as the layer-wise MVTU:
// ceil(W_out / MMV) * fan_in / SIMD * N / PE.
#pragma once

#include <memory>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "models/syq/scaling_ring_counter.hpp"
#include "models/syq/syq_kernel.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class SyqMvtu : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(SyqMvtu);
    SyqMvtu(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
            sc_core::sc_time period);

    const ScalingRingCounter& ring_counter() const { return *ring_; }
    // Scaled sub-dot products so far (one per subgroup, channel and pixel).
    uint64_t scaled_products() const { return scaled_products_; }

private:
    void run();

    LayerConfig layer_;
    SyqMvtuKernel kernel_;
    std::unique_ptr<ScalingRingCounter> ring_;
    sc_core::sc_port<ScaleIf> ring2mul_;
    uint64_t scaled_products_ = 0;
};

}  // namespace qsim
