// Energy per event of each device family (docs/power.md gives every figure and its source):
// the per-resource dynamic coefficients of the vendors' power estimators (clock tree per
// flip-flop, a LUT output toggling with its route, a block RAM access, a DSP operation), the
// device's static power per million LUTs at 25 C and how fast leakage grows with temperature,
// and the board's PCIe lanes and DDR channels. One calibration (scripts/calibrate_power.py,
// fitted on part of thesis Table 6.6) scales the data-driven terms of every family.
#pragma once

#include <string>

namespace qsim {

struct PowerCoefficients {
    std::string family;            // "UltraScale", "UltraScale+", "7 series"
    std::string process;           // "20 nm", ...
    double clock_pj_per_ff;        // clock tree and clock pin, per flip-flop per clock
    double clock_pj_per_bram18;    // per BRAM18 per clock
    double lut_pj_per_toggle;      // a LUT output and its route toggling once
    double glitch_per_stage;       // extra toggles per carry-ripple stage after the first
    double bram18_pj_per_access;   // one port access of a BRAM18 (read or write)
    double lutram_pj_per_access;   // one LUT used as RAM, read or written
    double uram_pj_per_access;     // one UltraRAM port access (0: the family has none)
    double dsp_pj_per_op;          // one DSP operation with random operands
    double net_pj_per_toggle;      // a stream bit toggling between blocks
    double static_w_per_mlut;      // device static power at 25 C junction, per million LUTs
    double leakage_doubling_c;     // static power doubles every this many degrees
    double pcie_w_per_lane;        // PCIe hard block and transceiver, per lane in use
    double ddr_w_per_channel;      // memory controller, PHY and devices of one DDR channel
};

// What the calibration fitted: one multiplier of the nominal energies of the events the data
// causes (LUT and net toggles, memory accesses, DSP operations); the clock tree, static and
// board figures stay nominal. 1 = the nominal tables.
struct PowerCalibration {
    double activity = 1.0;
};

// The table for a device family name of the device library ("Kintex UltraScale",
// "Zynq UltraScale+", "Zynq-7000", ...); the UltraScale+ table for "generic".
const PowerCoefficients& power_coefficients(const std::string& device_family);
// The calibration in force (the JSON report states it; scripts/calibrate_power.py divides the
// data-driven watts by it to recover the nominal figures it fits).
const PowerCalibration& power_calibration();

}  // namespace qsim
