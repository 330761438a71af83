#include "models/power/power_coefficients.hpp"

namespace qsim {

namespace {

// Nominal per-event energies (docs/power.md, "Coefficients"): orders of magnitude of the
// vendors' estimator conventions for each process node, before calibration.
const PowerCoefficients kUltraScale{"UltraScale", "20 nm",
                                    /*clock_pj_per_ff=*/0.030, /*clock_pj_per_bram18=*/0.50,
                                    /*lut_pj_per_toggle=*/0.45, /*glitch_per_stage=*/0.06,
                                    /*bram18_pj_per_access=*/4.5, /*lutram_pj_per_access=*/0.60,
                                    /*uram_pj_per_access=*/0.0, /*dsp_pj_per_op=*/3.0,
                                    /*net_pj_per_toggle=*/0.20, /*static_w_per_mlut=*/1.6,
                                    /*leakage_doubling_c=*/22.0, /*pcie_w_per_lane=*/0.25,
                                    /*ddr_w_per_channel=*/1.5};
const PowerCoefficients kUltraScalePlus{"UltraScale+", "16 nm",
                                        0.020, 0.35, 0.30, 0.06, 3.0, 0.40, 9.0, 2.0, 0.13, 1.1, 22.0, 0.20, 1.2};
const PowerCoefficients kSeries7{"7 series", "28 nm",
                                 0.045, 0.70, 0.70, 0.06, 7.0, 0.90, 0.0, 4.5, 0.30, 2.0, 22.0, 0.30, 1.0};

// Fitted by scripts/calibrate_power.py on the calibration designs of Table 6.6 (docs/power.md);
// test PowerCalibration.IsWhatTheScriptFits checks it is current.
constexpr PowerCalibration kPowerCalibration{4.0554};

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

}  // namespace

const PowerCoefficients& power_coefficients(const std::string& family) {
    if (contains(family, "UltraScale+") || family.empty() || family == "generic") return kUltraScalePlus;
    if (contains(family, "UltraScale")) return kUltraScale;
    if (contains(family, "7") || contains(family, "Artix") || contains(family, "Kintex-7") ||
        contains(family, "Virtex-7") || contains(family, "Spartan"))
        return kSeries7;
    return kUltraScalePlus;
}

const PowerCalibration& power_calibration() { return kPowerCalibration; }

}  // namespace qsim
