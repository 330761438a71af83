// The design space of a sweep (`sim sweep`): a base configuration and the axes to vary, each a
// list of values; points are the grid of every combination or a seeded random sample of it.
// A point is applied to the base NetworkConfig directly (no YAML is re-read), with the derived
// fields the loader would compute redone and the loader's rules checked, so that the analytical
// tier can evaluate many points per second; axes on the config's `params` re-read the YAML.
//
// Axis names:
//   LAYER.pe, LAYER.simd, LAYER.mmv     folding of one layer
//   LAYER.reuse, LAYER.prune            PE reuse, pruning ratio (conv / compute layers)
//   LAYER.wbits                         weight bits: 1 binary, >= 2 uniform
//   LAYER.abits                         activation bits of a thresholds activation
//   *.FIELD                             the same for every layer the field applies to
//   clock_mhz                           the device clock
//   param.NAME                          a `params:` entry of the config (as sim --set NAME=...)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"

namespace qsim::sweep {

struct Axis {
    std::string name;                 // as written: "conv2.pe", "*.reuse", "clock_mhz", "param.wbits"
    std::string layer;                // "" for clock_mhz and param.*; "*" for every layer
    std::string field;                // "pe", ..., "clock_mhz", or the parameter name
    bool is_param = false;
    std::vector<std::string> values;  // as text, in the order given
};

// Parses "NAME=V1,V2,..." (also "A..B" for every integer from A to B, "A..B*2" doubling).
// Throws std::invalid_argument naming what is wrong.
Axis parse_axis(const std::string& text);
// Parses one value list as the above.
std::vector<std::string> parse_values(const std::string& name, const std::string& text);

struct SampleSpec {
    enum class Mode { Grid, Random } mode = Mode::Grid;
    uint64_t points = 0;  // random: how many
    uint64_t seed = 1;
};

struct DesignSpace {
    std::string config;  // the base configuration file
    std::map<std::string, std::string> base_params;  // sim --set given to every point
    std::vector<Axis> axes;
    SampleSpec sample;

    uint64_t grid_size() const;  // product of the axes' value counts (saturates at UINT64_MAX)
    uint64_t point_count() const;
    // Value index per axis of point `index` (0 <= index < point_count()): the grid in mixed
    // radix (the last axis fastest), or the index-th draw of the seeded sample.
    std::vector<uint32_t> point(uint64_t index) const;
    // "conv2.pe=11;conv4.reuse=2" for a point, and back (sim --point).
    std::string encode(const std::vector<uint32_t>& point) const;
    bool has_param_axes() const;
    // A stable digest of everything that decides the points, for resuming and merging.
    std::string digest() const;
};

// Assignments NAME -> value of a point.
using Assignments = std::vector<std::pair<const Axis*, std::string>>;
Assignments assignments(const DesignSpace& space, const std::vector<uint32_t>& point);

// Applies the non-param assignments to `net` in place and re-derives channel counts, encodings,
// datapaths and line buffers; returns why the point is invalid (the layer, field and rule), or
// nothing. Unknown layers or fields throw std::invalid_argument (a mistake in the sweep, not an
// invalid point).
std::optional<std::string> apply_point(NetworkConfig& net, const Assignments& a);

// Parses sim --point "NAME=VALUE;NAME=VALUE" into axes of one value each.
std::vector<Axis> parse_point(const std::string& text);

}  // namespace qsim::sweep
