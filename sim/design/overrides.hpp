// Overrides: single fields of a specification set from text, the way `sim --point`, sweep axes
// and `sim fold` change a design. The value is parsed as its field's type (the same parser the
// front end uses) and marked as coming from the override; derive_design() then checks it with
// every other rule, so an override can never produce a design the loader would reject.
//
// NAME is
//   LAYER.FIELD     a field of one layer, by its path in the layer tables: conv1.fifo_depth,
//                   conv1.folding.pe, conv1.weights.bits, fc1.decompressor.batch, ...
//   *.FIELD         the same for every layer the field belongs to
//   SECTION.FIELD   a top-level field: device.clock_mhz, input.fifo_depth, defaults.reuse,
//                   host.pcie.lanes, run.watchdog_cycles, ... (when SECTION names no layer)
// A section that may be written as one scalar takes it the same way: conv1.ram_style=block
// sets every kind, conv1.ram_style.thresholds=block one, resources.ram_style=distributed all.
// with the short names
//   LAYER.pe, .simd, .mmv      folding.pe, folding.simd, folding.mmv
//   LAYER.abits                activation.bits (*.abits: the layers with a thresholds activation)
//   LAYER.wbits                the weights: 1 binary, B >= 2 uniform with B bits
//   clock_mhz                  device.clock_mhz
// and, for *.FIELD, pe and prune on compute layers, mmv and reuse on conv layers only.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "sim/design/spec.hpp"

namespace qsim::design {

// Sets NAME to `value` in `spec`, the values coming from `at`. Returns the violation when the
// value is not of the field's type ("expected an integer, got 'x'"); ranges and rules are left
// to derive_design(). Throws std::invalid_argument for a NAME that names no field or layer (a
// mistake in the command, not an invalid design).
std::optional<Violation> apply_override(NetworkSpec& spec, const std::string& name, const std::string& value, Origin at);

// Whether NAME is a name apply_override() knows for this specification (same rules, no change).
void check_override_name(const NetworkSpec& spec, const std::string& name);

}  // namespace qsim::design
