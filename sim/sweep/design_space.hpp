// The design space of a sweep (`sim sweep`): a base configuration and the axes to vary, each a
// list of values; points are the grid of every combination or a seeded random sample of it.
// A point is a set of overrides (sim/design/overrides.hpp) applied to the base specification,
// which derive_design() then turns into the design or the rules it breaks, exactly as the
// loader would; axes on the config's `params` re-read the YAML with those values.
//
// Axis names: every name an override takes (LAYER.FIELD, *.FIELD, SECTION.FIELD, the short
// names pe, simd, mmv, reuse, prune, wbits, abits, clock_mhz), and
//   param.NAME                          a `params:` entry of the config (as sim --set NAME=...)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/design/derive.hpp"
#include "sim/design/spec.hpp"

namespace qsim::sweep {

struct Axis {
    std::string name;                 // as written: "conv2.pe", "*.reuse", "clock_mhz", "param.wbits"
    bool is_param = false;
    std::string param;                // param.NAME: NAME
    std::vector<std::string> values;  // as text, in the order given
};

// The most values all axes of a sweep hold together (a range is expanded when parsed).
constexpr uint64_t kMaxAxisValues = 1000000;

// Parses "NAME=V1,V2,..." (also "A..B" for every integer from A to B, "A..B*2" doubling).
// Throws std::invalid_argument naming what is wrong. Whether NAME names a field of the
// configuration is check_axes()'.
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

// Appends `axis` to `space`; throws std::invalid_argument when the axes would hold more than
// kMaxAxisValues values in all.
void add_axis(DesignSpace& space, Axis axis);

// Assignments NAME -> value of a point.
using Assignments = std::vector<std::pair<const Axis*, std::string>>;
Assignments assignments(const DesignSpace& space, const std::vector<uint32_t>& point);

// Every axis names a field of `spec` (or a declared param); throws std::invalid_argument for the
// first that does not, and for an axis given twice.
void check_axes(const design::NetworkSpec& spec, const std::vector<Axis>& axes);

// The design of a point: the non-param assignments applied to `spec` in place (each value's
// origin "VIA NAME=VALUE", e.g. "--point conv1.reuse=2", added to its sources), then
// derive_design(); spec.error() formats a violation. Unknown layers or fields throw
// std::invalid_argument (a mistake in the sweep, not an invalid point).
design::Derived derive_point(design::NetworkSpec& spec, const Assignments& a, const std::string& via);

// Parses sim --point "NAME=VALUE;NAME=VALUE" into axes of one value each.
std::vector<Axis> parse_point(const std::string& text);

}  // namespace qsim::sweep
