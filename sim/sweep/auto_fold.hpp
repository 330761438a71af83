// Automatic folding (`sim fold`): choose every layer's PE / SIMD / MMV so that all layers need
// about the same cycles per frame, as ch. 4.7.1.1 balances AlexNet: for a target interval T,
// each layer takes the fewest PE x SIMD x MMV lanes whose slowest block needs at most T cycles
// per frame (ties: the largest SIMD, then the largest PE). Every candidate folding is a change
// to the specification derived by derive_layer(), the step derive_design() takes, so fold only
// proposes designs the loader accepts, and a layer's cycles come from its own timing rule (MVTU
// with reuse, decompressor-fed PE array, pooling, SWU), the rule estimate_dataflow() uses. T
// comes from a target frame rate, or is the shortest interval whose design fits the device.
//
// The closed form cannot see everything the simulation does (data-dependent decompressor
// entries, bursts against shallow FIFOs), so a folded design is simulated when a simulator is
// given: with a target, a design that simulates slower is folded again for a tighter interval,
// a few times; the result reports both figures and whether the target was reached.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/resources/resources.hpp"
#include "sim/design/spec.hpp"

namespace qsim::sweep {

struct FoldRequest {
    double target_fps = 0;          // 0: the fastest design that fits the device
    std::vector<std::string> keep;  // layers whose folding is kept as configured
};

struct FoldResult {
    design::NetworkSpec spec;   // the base with every layer's folding as chosen
    NetworkConfig net;          // its design
    uint64_t target_cycles = 0;        // the interval the layers were balanced to
    uint64_t interval_cycles = 0;      // the design's analytical interval
    double frames_per_second = 0;      // analytical
    uint64_t sim_interval_cycles = 0;  // simulated (0: not simulated)
    double sim_frames_per_second = 0;
    bool target_reached = true;        // with a target: the simulated (else analytical) interval reaches it
    Resources resources;
    bool fits = false;
    std::vector<std::string> exceeded;
    std::vector<std::string> notes;    // e.g. "the input stream needs 50,176 cycles per frame: ..."

    // What fold reports: the simulated interval where there is one.
    uint64_t reported_cycles() const { return sim_interval_cycles ? sim_interval_cycles : interval_cycles; }
};

// Simulates a folded design and returns its interval in cycles per frame; throws
// std::runtime_error when the simulation fails (a deadlock, say).
using FoldSimulator = std::function<uint64_t(const FoldResult&)>;

// Throws std::runtime_error when no folding reaches even the slowest possible interval, for the
// loopback architecture (one PE array for every layer: nothing to fold), and ConfigError when
// the base design itself breaks a rule (the loader's message).
FoldResult auto_fold(const design::NetworkSpec& base, const FoldRequest& request, const FoldSimulator& simulate = {});

// The base configuration file with each layer's folding replaced by the result's (YAML; the
// file's comments are not kept, everything else is), its device library and weight file
// referred to from `out_dir`, where the text will be written.
std::string folded_yaml(const std::string& base_file, const FoldResult& r, const std::string& header,
                        const std::string& out_dir);

}  // namespace qsim::sweep
