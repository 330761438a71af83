// Fuzz entry (d): the sweep spec reader (read_spec_file) and the axis parser behind it, shared
// by the libFuzzer target sweep_spec_fuzz.cpp and the regression test. Expected errors are
// std::invalid_argument (a spec or an axis the reader refuses); anything else escapes.
//
// A spec that reads must also: give every point it enumerates (grid or random draw) a value
// index within its axes; encode each point as sim --point text that parse_point() reads back to
// the same values; be written by spec_text() into a spec that reads back to the same design
// space (same digest); and have its axes checked against a fixed network without anything
// but std::invalid_argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/design/yaml_front_end.hpp"
#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "testbenches/fuzz/fuzz_entry.hpp"

namespace qsim::fuzz {

// The points of `space` a run checks: the first few and the last.
inline std::vector<uint64_t> sample_indices(const sweep::DesignSpace& space) {
    const uint64_t n = space.point_count();
    std::vector<uint64_t> v;
    for (uint64_t i = 0; i < n && i < 4; ++i) v.push_back(i);
    if (n > 4) v.push_back(n - 1);
    return v;
}

inline void check_points(const sweep::DesignSpace& space) {
    for (const uint64_t i : sample_indices(space)) {
        const std::vector<uint32_t> p = space.point(i);
        if (p.size() != space.axes.size()) throw std::logic_error("a point without a value for every axis");
        for (size_t a = 0; a < p.size(); ++a)
            if (p[a] >= space.axes[a].values.size()) throw std::logic_error("a point's value index past its axis");
        const std::string text = space.encode(p);
        const std::vector<sweep::Axis> back = sweep::parse_point(text);  // must not throw: it is our own text
        if (back.size() != p.size()) throw std::logic_error("--point text '" + text + "' reads back to another count");
        for (size_t a = 0; a < p.size(); ++a)
            if (back[a].name != space.axes[a].name || back[a].values.at(0) != space.axes[a].values[p[a]])
                throw std::logic_error("--point text '" + text + "' reads back differently");
    }
}

inline void run_sweep_spec(const uint8_t* data, size_t size) {
    static ScratchFile scratch(".sweep.yaml");
    static ScratchFile rewritten(".rewritten.yaml");
    const std::string& path = scratch.write(std::vector<uint8_t>(data, data + size));
    sweep::DesignSpace space;
    try {
        sweep::read_spec_file(path, space);
    } catch (const std::invalid_argument&) {
        return;
    }
    if (space.axes.empty()) return;  // the command refuses this as a usage error
    uint64_t values = 0;
    for (const auto& a : space.axes) values += a.values.size();
    if (values > sweep::kMaxAxisValues) throw std::logic_error("the axes hold more values than kMaxAxisValues");
    check_points(space);
    // Written back out (as for SLURM shards), it reads to the same space.
    if (space.config.empty()) space.config = "/nonexistent/fuzz.yaml";
    const std::string text = sweep::spec_text(space);
    sweep::DesignSpace again;
    sweep::read_spec_file(rewritten.write(std::vector<uint8_t>(text.begin(), text.end())), again);
    if (again.digest() != space.digest()) throw std::logic_error("spec_text() reads back to another design space");
    // Its axes against a real network: a field, a declared param, or an invalid_argument.
    static const design::NetworkSpec network = design::parse_yaml_spec(weights_config_yaml(), "fuzz_weights.yaml");
    try {
        sweep::check_axes(network, space.axes);
    } catch (const std::invalid_argument&) {
        return;
    }
    design::NetworkSpec copy = network;
    try {
        (void)sweep::derive_point(copy, sweep::assignments(space, space.point(0)), "fuzz");
    } catch (const std::invalid_argument&) {
    } catch (const ConfigError&) {
    }
}

}  // namespace qsim::fuzz
