// The one derivation: a specification (spec.hpp) in, the design every block receives
// (NetworkConfig, models/network/network_config.hpp) or the rules it breaks out. Every way
// into a design goes through it: the YAML loader, `sim --set`, `sim --point`, `sim sweep`
// (each point), `sim fold` (each candidate folding, layer by layer) and the analytical tier.
// It is pure: no file is read (the front end read them), nothing is printed.
//
// What it derives (docs/config.md, "Derived values"): each layer's input and output shapes,
// encodings and bit widths, the output channels after pruning, the datapath, the SWU line
// buffers, the decompressor's expected density, the device's resource counts from the library.
// What it checks: every field's range (fields.hpp), which fields apply where, the folding,
// reuse, accumulator, decompressor, scaling and RCCM rules, feature-map and per-frame count
// limits, and that the run fits SystemC's 64-bit clock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "sim/design/spec.hpp"

namespace qsim::design {

struct Derived {
    NetworkConfig design;              // complete only when ok()
    std::vector<Violation> violations;  // in the order the loader reports them
    bool ok() const { return violations.empty(); }
};

Derived derive_design(const NetworkSpec& spec);

// The stages of derive_design(), for callers that derive the layers themselves and keep them
// (the sweep's analytical tier, sim/sweep/point_evaluator.hpp): the network-level sections
// (name, device, input, weights, host, run, defaults, resources) into `net`; then, once every
// layer of `net` is derived, the checks of the whole design (host and special units, the
// simulated time against SystemC's clock given the design's interval, the output section).
// Violations are appended to `out` in the order derive_design() reports them.
void derive_sections(const NetworkSpec& spec, NetworkConfig& net, std::vector<Violation>& out);
void check_network(const NetworkSpec& spec, NetworkConfig& net, uint64_t interval_cycles, std::vector<Violation>& out);

// derive_design(), throwing the first violation as ConfigError (spec.error()).
NetworkConfig derive_or_throw(const NetworkSpec& spec);

// What reaches a layer: the output of the layer before it, or the input.
struct LayerInput {
    FmShape shape;
    Encoding encoding = Encoding::Unsigned;
    int bits = 8;
    std::string acc_source;  // the layer whose raw accumulators arrive (encoding Accumulator)
    bool from_input = true;
};
LayerInput network_input(const InputConfig& in);
// What layer `l` delivers to the next one, given what reached it.
LayerInput output_of(const LayerConfig& l, const LayerInput& in);

// Derives layer `index` of `spec` from what reaches it. Of the network specification it reads
// layer `index`, every layer's name (duplicates) and the `defaults` and `weights` sections, nothing
// else: the sweep's analytical tier keys its cache of derived layers on exactly these. (the step derive_design() takes for every
// layer, for callers that vary one layer at a time: `sim fold`). Returns the first rule the
// layer breaks, or nothing with `out` derived.
std::optional<Violation> derive_layer(const NetworkSpec& spec, size_t index, const LayerInput& in, LayerConfig& out);
// The same for a layer of a graph (docs/graphs.md): `ins` is what reaches each of its inputs,
// in the order of its `inputs` (an add layer has two).
std::optional<Violation> derive_layer(const NetworkSpec& spec, size_t index, const std::vector<LayerInput>& ins,
                                      LayerConfig& out);

}  // namespace qsim::design
