// The power section of the table and of the JSON report (models/power, docs/power.md).
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "models/power/power_model.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {

// Per layer (its blocks summed) and the totals, with the activity's source.
void print_power(std::ostream& os, const PowerReport& p);
// One line: board total, its parts, energy per frame and frames per joule.
std::string power_summary(const PowerReport& p);
// `power`: total_w (the board's), dynamic_w, static_w, the board's parts, energy per frame,
// frames per joule, and per block the clock / logic / memory / DSP / signal watts.
nlohmann::json power_json(const PowerReport& p);
// A layer's counted activity (docs/power.md): the toggle and nonzero rates of its PE array's
// operand bus, weight reads and output stream.
nlohmann::json activity_json(const LayerResult& l);

}  // namespace qsim
