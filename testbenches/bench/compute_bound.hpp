// The compute-only bound of a design's bit-true frame (sim_bench --bound): the arithmetic of a
// frame (multiply-accumulates per operand kind) and the wall time this machine's datapath
// kernels take for it on pre-packed random operands of the same shapes: each compute layer's
// MvtuKernel (the PE datapath the simulator uses, thresholds included) on random windows of
// the layer's input codes, without SystemC, sliding windows or FIFOs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim::bench {

struct LayerBound {
    std::string layer;
    std::string kind;      // "w8 x a8", "w1 x a2", "rccm 2-Add x a8", ...
    double macs = 0;       // a frame's multiply-accumulates (dense: every weight, pruned or not)
    double seconds = 0;    // the kernels' wall time for them (fastest of several runs)
    bool special = false;  // computed by a special unit in the simulator (decompressor, SYQ)
};

struct FrameBound {
    std::vector<LayerBound> layers;
    std::map<std::string, double> macs_by_kind;
    double macs = 0, seconds = 0;
};

// Times every compute layer of `net` with its own parameters; `repeats` runs, the fastest kept.
FrameBound measure_compute_bound(const NetworkConfig& net, const NetworkParams& params, int repeats = 3);

}  // namespace qsim::bench
