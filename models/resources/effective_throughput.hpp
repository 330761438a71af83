// The effective-throughput model of sparse ternary networks (thesis ch. 3.4.3-3.4.4): the
// dense peak of a device for each datapath type, and the effective cost and throughput of a
// decompressor-fed PE array at sparsity and reuse:
//   C_e = gamma * (C_op + C_d / R),   T_e = f / C_e  (x 2 operations per MAC, in OP/s)
// with C_op and C_d the shares of the device's compute budget (70% of the LUTs, 100% of the
// DSPs) one MAC lane and one decoder take. Every number comes from the device library and the
// cost constants (cost_model.hpp); docs/resources.md and docs/sparse.md give the sources.
#pragma once

#include <string>

#include "models/network/network_config.hpp"

namespace qsim {

// Type 1: binary activations, XNOR-popcount MACs in LUTs; type 2: float activations, a float
// adder per MAC on DSP slices (ch. 3.4.2).
enum class SparseDatapath { XnorPopcount, FloatAdd };
template <>
struct EnumText<SparseDatapath> {
    static constexpr const char* what = "sparse datapath";
    static constexpr std::pair<SparseDatapath, const char*> names[] = {{SparseDatapath::XnorPopcount, "xnor_popcount"},
                                                                       {SparseDatapath::FloatAdd, "float_add"}};
};

struct SparseCostModel {
    SparseDatapath datapath = SparseDatapath::XnorPopcount;
    std::string device;
    double clock_hz = 0.0;
    double lut_budget = 0.0;  // LUTs for compute: kComputeLutShare x the device's
    double dsp_budget = 0.0;  // DSPs for compute: kComputeDspShare x the device's
    double mac_luts = 0.0;    // one MAC lane: LUTs (type 1) ...
    double mac_dsps = 0.0;    // ... or DSP slices (type 2)
    double decoder_luts = 0.0;
    double c_op = 0.0;        // share of the budget one MAC lane takes
    double c_d = 0.0;         // share one decoder takes

    // Dense peak (no decoder, every weight computed): 2 f / C_op.
    double dense_peak_ops() const;
    double effective_cost(double gamma, double reuse) const;
    double effective_ops(double gamma, double reuse) const;
    // Cost (in budget shares) of an array of `decoders` decompressors feeding `pes_per_decoder` PEs each.
    double array_cost(double decoders, double pes_per_decoder) const;
};

// The model for `device` at `clock_mhz` (ch. 3.4.3: the KU115 at 250 MHz). Throws
// std::invalid_argument for a device without resource counts.
SparseCostModel sparse_cost_model(const DeviceConfig& device, SparseDatapath datapath, double clock_mhz);

}  // namespace qsim
