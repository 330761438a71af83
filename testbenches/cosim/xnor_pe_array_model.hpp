// SystemC model of the XNOR-popcount PE array at pin level, the "model" face of the RTL
// co-simulation (rtl/xnor_pe_array.sv). It is an MVTU in miniature: the layer's weights sit in
// its PE weight memories (models/mvtu/weight_memory, FINN's layout), and each input vector
// arrives as SF = fan_in / SIMD beats of SIMD bipolar activations, once per neuron fold nf
// (PE p computes channel nf * PE + p). Values come from the functional kernels
// (XnorPopcountDatapath: 2 * popcount(XNOR) - fan_in; ThresholdUnit: multi-threshold or
// bipolar sign); timing from the rule: a fold's results leave kPeArrayLatency clock edges
// after its last beat was taken, one beat is taken per cycle, and the array holds while its
// output is valid and not taken (in_ready = !out_valid || out_ready).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>

#include "models/mvtu/pe_datapath_kernel.hpp"
#include "models/mvtu/threshold_kernel.hpp"
#include "models/mvtu/weight_memory.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "testbenches/cosim/cosim_mutation.hpp"

namespace qsim::cosim {

// Register stages between the last beat of a fold and its result: the popcount register and
// the accumulator / output register.
constexpr int kPeArrayLatency = 2;

// The geometry of a PE array and the layer it computes.
struct PeArrayShape {
    int pe = 4;
    int simd = 32;
    int synapse_folds = 4;  // SF: fan_in = SF * SIMD
    int neuron_folds = 3;   // NF: channels = NF * PE
    int thresholds = 3;     // NT per channel; 1 = bipolar sign
    int acc_bits = 16;      // RTL accumulator / threshold width
    int64_t fan_in() const { return int64_t(synapse_folds) * simd; }
    int channels() const { return neuron_folds * pe; }
};

// An fc layer of that geometry: binary weights, bipolar inputs, PE x SIMD folding, and a
// multi-threshold (NT = 2^b - 1) or bipolar (NT = 1) activation.
LayerConfig pe_array_layer(const PeArrayShape& shape);

// Seeded parameters: random weights (channel channels-1 all +1), ascending thresholds in
// [-fan_in, fan_in] (channel 0's include both ends, so results on the edges occur).
LayerParams pe_array_params(const PeArrayShape& shape, uint64_t seed);

class XnorPeArrayModel : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk, rst_n;
    sc_core::sc_in<bool> in_valid;
    sc_core::sc_out<bool> in_ready;
    sc_core::sc_in<uint64_t> in_act;  // SIMD <= 64 activation bits, lane 0 in bit 0
    sc_core::sc_out<bool> out_valid;
    sc_core::sc_in<bool> out_ready;
    sc_core::sc_vector<sc_core::sc_out<int64_t>> out_acc;    // one per PE
    sc_core::sc_vector<sc_core::sc_out<uint32_t>> out_code;  // one per PE

    XnorPeArrayModel(sc_core::sc_module_name name, const PeArrayShape& shape, LayerParams params,
                     const Mutation& mutation);
    SC_HAS_PROCESS(XnorPeArrayModel);

private:
    struct Result {
        bool valid = false;
        std::vector<int64_t> acc;
        std::vector<uint32_t> code;
    };

    void clock_edge();
    void handshake();
    void take_beat(uint64_t act);
    bool stalled_by_mutation() const;

    PeArrayShape shape_;
    LayerConfig layer_;
    LayerParams params_;
    WeightMemory memory_;
    std::unique_ptr<PeDatapath> datapath_;
    ThresholdUnit thresholds_;
    Mutation mutation_;
    std::vector<int32_t> vector_;  // the input vector being collected (codes 0/1)
    int beat_ = 0;                 // beats of the current fold taken so far
    int fold_ = 0;                 // neuron fold of the current pass
    Result slot0_, slot1_;         // slot1_ drives the outputs
    uint64_t cycle_ = 0;
    sc_core::sc_signal<uint64_t> cycle_sig_;
};

}  // namespace qsim::cosim
