// JSON view of an effective (validated and derived) NetworkConfig, for reports.
#pragma once

#include <nlohmann/json.hpp>

#include "models/network/network_config.hpp"

namespace qsim {

// One object with name, source_file, device, input, weights (the weight source), run and
// layers. Each layer lists only the fields that apply to its type, including the derived
// ones (shapes, encodings, datapath). Enums are written with the to_string() names.
nlohmann::json config_to_json(const NetworkConfig& cfg);

}  // namespace qsim
