// The power estimate of a simulated run (models/power, docs/power.md): each layer's duty from
// its simulated busy cycles over the interval, and its data's activity as the PE array
// counted it; layers without a counted data path (pooling, timing-only runs) take their
// input's activity, or random data's.
#pragma once

#include "models/power/power_model.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {

PowerInputs run_power_inputs(const NetworkConfig& net, const RunResult& r);
PowerReport run_power(const NetworkConfig& net, const RunResult& r);

}  // namespace qsim
