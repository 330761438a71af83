// Turns a RunResult into the human-readable table and the JSON report.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "models/network/network_config.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {

// The layout of the JSON report (sim --report): its schema_version field.
constexpr int kReportSchemaVersion = 1;

// `timing` false leaves out what the machine, not the design, decides: the wall-clock time, the
// speed and the peak memory of the run (the `simulation` line and section), so that identical
// inputs give byte-identical output (`sim --no-timing`).
void print_report(std::ostream& os, const RunResult& r, bool timing = true);
// The JSON report; `effective_config` is the design's effective configuration
// (design::effective_config_json).
nlohmann::json report_json(const RunResult& r, const nlohmann::json& effective_config, bool timing = true);

}  // namespace qsim
