// Matrix-vector-threshold unit (ch. 4.6.2, Fig. 4.5; FINN): PE x SIMD x MMV lanes with the
// weight memories, a PE datapath (XNOR-popcount, ADD/SUB or DSP MAC) and the threshold unit.
// Conv layers take rows of windows from their SWU and emit one output feature-map row per
// input row; fc layers take the feature-map rows of the previous layer as one vector
// (consumed during the first neuron fold, as it streams in) and emit a 1 x 1 x N row.
#pragma once

#include <memory>

#include "models/mvtu/mvtu_kernel.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {

class Mvtu : public TimedBlock {
public:
    sc_core::sc_port<RowReadIf> in;
    sc_core::sc_port<RowWriteIf> out;

    SC_HAS_PROCESS(Mvtu);
    // With parameters: the weight and threshold memories start loaded.
    Mvtu(sc_core::sc_module_name name, const LayerConfig& layer, const LayerParams& params,
         sc_core::sc_time period);
    // Without: the memories are filled at run time by load_parameters() (DMA channel 1), and
    // the unit waits for them before computing its first row.
    Mvtu(sc_core::sc_module_name name, const LayerConfig& layer, sc_core::sc_time period);

    void load_parameters(const LayerImage& image);
    bool loaded() const { return kernel_ != nullptr; }
    const MvtuKernel& kernel() const { return *kernel_; }

private:
    void start();
    void run_conv();
    void run_fc();
    void wait_for_parameters();
    void account(uint64_t cycles, uint64_t ops);

    LayerConfig layer_;
    uint64_t lanes_;  // mvtu_lanes(layer_)
    std::unique_ptr<MvtuKernel> kernel_;
    sc_core::sc_event loaded_;
};

}  // namespace qsim
