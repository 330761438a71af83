// Board power of a design from its resources and the activity of its data (docs/power.md):
// per block, the clock tree of its flip-flops and block RAMs, the logic that switches with the
// data (PE operands and their logic depth, streams), block/distributed RAM accesses and DSP
// operations, at the design's clock and each block's duty; the device's static power at the
// junction temperature; and the board's PCIe and DDR where the configuration declares them.
// The activity comes from the bit-true simulation (measured) or, without data, from random
// codes (an upper bound): the analytical tier and sweeps use the latter.
#pragma once

#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/power/power_coefficients.hpp"
#include "models/resources/resources.hpp"

namespace qsim {

// The activity of one layer's data and how busy its blocks are.
struct LayerActivity {
    std::string layer;
    double duty = 1.0;             // busy cycles of its compute / pooling unit over the interval
    double swu_duty = -1.0;        // its sliding-window unit's read side (-1: as `duty`)
    double operand_toggle = 0.5;   // PE input operand bits that toggle a clock
    double operand_nonzero = 1.0;  // input codes that are not 0
    double weight_toggle = 0.5;    // weight bits that toggle between successive reads
    double weight_nonzero = 1.0;
    double output_toggle = 0.5;    // output stream bits that toggle a word
    double output_bits_per_frame = 0.0;  // bits the layer emits a frame
    bool measured = false;         // from simulated data, not assumed
};

// The operating point: clock, frame rate, temperature, board.
struct PowerInputs {
    double clock_hz = 0.0;
    double frames_per_second = 0.0;
    std::vector<LayerActivity> layers;   // missing layers: random-data activity, duty 1
    double loopback_duty = -1.0;         // the loopback accelerator's busy share (-1: none)
};

struct BlockPower {
    std::string layer, block;
    double clock_w = 0, logic_w = 0, memory_w = 0, dsp_w = 0, signal_w = 0;
    double total() const { return clock_w + logic_w + memory_w + dsp_w + signal_w; }
};

struct PowerReport {
    bool modelled = false;
    std::string family;          // the coefficient table used
    std::string activity;        // "simulated data" / "random data (upper bound)" / mixed
    double calibration = 1.0;    // PowerCalibration::activity in force
    double clock_hz = 0, frames_per_second = 0, junction_c = 0;
    std::vector<BlockPower> blocks;  // per layer and block, resource-report order
    double clock_w = 0, logic_w = 0, memory_w = 0, dsp_w = 0, signal_w = 0;
    double dynamic_w = 0, static_w = 0;
    double pcie_w = 0, ddr_w = 0, board_extra_w = 0;
    double total_w = 0;                // board total
    double energy_per_frame_j = 0;     // total_w / frames_per_second
    double frames_per_joule = 0;
};

// The activity random codes give a layer (each bit toggles with probability 1/2, no zeros).
LayerActivity random_activity(const LayerConfig& l);

PowerReport estimate_power(const NetworkConfig& net, const ResourceReport& resources, const PowerInputs& in);

// The analytical tier (sweeps): one layer's parts, or the parts outside the layers, reduced to
// energies per clock by what scales them, at the layer's activity (independent of the clock
// frequency, so a sweep can cache them per layer). power_terms() applies the same per-part rules
// as estimate_power(); board_power() adds the clock, the duties, the frame rate, the static
// power and the board. The parts outside the layers take LayerActivity{} (no stream of their own).
struct PowerTerms {
    double clock_j = 0;             // per clock, whatever the duty
    double unit_j = 0;              // per clock x the duty of the layer's unit
    double swu_j = 0;               // per clock x the duty of its sliding-window unit's read side
    double always_j = 0;            // per clock, active whatever the duty (the host link IP)
    double signal_j_per_frame = 0;  // x frames/s
};
PowerTerms power_terms(const NetworkConfig& net, const std::vector<ResourceItem>& items, const LayerActivity& a);

struct BoardPower {
    double dynamic_w = 0, static_w = 0, total_w = 0, energy_per_frame_j = 0;
};
// `terms`, `unit_duty`, `swu_duty`: one per layer and, first, the parts outside the layers
// (duty 1); `design_lut`: the design's LUTs (static power of a generic device).
BoardPower board_power(const NetworkConfig& net, const std::vector<PowerTerms>& terms,
                       const std::vector<double>& unit_duty, const std::vector<double>& swu_duty,
                       double frames_per_second, uint64_t design_lut);

}  // namespace qsim
