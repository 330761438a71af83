// Turns a RunResult into the human-readable table and the JSON report.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "models/network/network_config.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {

void print_report(std::ostream& os, const RunResult& r);
// The JSON report; `effective_config` is the design's effective configuration
// (design::effective_config_json).
nlohmann::json report_json(const RunResult& r, const nlohmann::json& effective_config);

}  // namespace qsim
