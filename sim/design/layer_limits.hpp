// The limits on what one layer may count per frame: every per-frame count the timing rules
// and the report compute (cycles of each block, operations) must fit 64 bits, and a row of SWU
// windows 2^31-1 values. The formulas mirror the timing rules (models/*/..._timing.cpp),
// computed here in 128 bits.
#pragma once

#include <optional>
#include <string>

#include "models/network/network_config.hpp"

namespace qsim::design {

// The first count of a derived layer that does not fit, as a message, or nothing.
std::optional<std::string> layer_count_problem(const LayerConfig& l);

}  // namespace qsim::design
