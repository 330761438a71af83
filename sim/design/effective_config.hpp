// The effective configuration of a design: its specification with every field set to the value
// the derivation used (defaults, derived defaults such as a pooling layer's SIMD or an SWU's
// line buffer, values from `defaults:`), written through the field tables. It is a complete
// configuration: loaded again, it derives the same design. The JSON report carries it, with
// what the derivation computed besides (shapes, encodings, datapaths, the device's resources)
// under `derived`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "models/network/network_config.hpp"
#include "sim/design/spec.hpp"

namespace qsim::design {

// `spec` with every field that applies set to the value `design` (derived from it) uses, and
// the sections in effect marked given.
NetworkSpec effective_spec(const NetworkSpec& spec, const NetworkConfig& design);

// The given fields of a specification, section by section (the field tables' keys and value
// types; enum values by their names).
nlohmann::json spec_json(const NetworkSpec& spec);

// spec_json(effective_spec()) with, per layer and for the device and input, what was derived.
nlohmann::json effective_config_json(const NetworkSpec& spec, const NetworkConfig& design);

// A specification as a YAML configuration file (relative paths as they are in it).
std::string spec_yaml(const NetworkSpec& spec);

}  // namespace qsim::design
