// Automatic folding (`sim fold`): choose every layer's PE / SIMD / MMV so that all layers need
// about the same cycles per frame, as ch. 4.7.1.1 balances AlexNet: for a target interval T,
// each layer takes the fewest PE x SIMD x MMV lanes whose MVTU and SWU need at most T cycles
// per frame (ties: the largest SIMD, then the largest PE), under the divisibility rules
// (SIMD | C/groups, PE | N/groups, MMV | W_out; a pruned layer's channel count follows its PE,
// ch. 4.5.2). T comes from a target frame rate, or is the shortest interval whose design fits
// the device.
#pragma once

#include <string>
#include <vector>

#include "models/network/network_config.hpp"
#include "models/resources/resources.hpp"

namespace qsim::sweep {

struct FoldRequest {
    double target_fps = 0;          // 0: the fastest design that fits the device
    std::vector<std::string> keep;  // layers whose folding is kept as configured
};

struct FoldResult {
    NetworkConfig net;         // the folded design
    uint64_t target_cycles = 0;
    uint64_t interval_cycles = 0;
    double frames_per_second = 0;
    Resources resources;
    bool fits = false;
    std::vector<std::string> exceeded;
    std::vector<std::string> notes;  // e.g. "the input stream needs 50,176 cycles per frame: ..."
};

// Throws std::runtime_error when no folding reaches even the slowest possible interval.
FoldResult auto_fold(const NetworkConfig& base, const FoldRequest& request);

// The base configuration file with each layer's folding replaced by the result's (YAML; the
// file's comments are not kept, everything else is).
std::string folded_yaml(const std::string& base_file, const FoldResult& r, const std::string& header);

}  // namespace qsim::sweep
