// FIFO sizing (`sim fifo-size`, docs/graphs.md): the depth of every FIFO of a design (input,
// between layers, each branch of a fork: the skip FIFOs of residual blocks above all) for the
// frame rate of its bottleneck or a target, by simulation, two ways side by side:
//  - deep: FINN's method. Every FIFO is made deep enough never to fill (two frames of rows),
//    the input is paced at the target interval (otherwise the FIFOs before the bottleneck
//    fill with whole frames and the peaks measure only the run's length), and each FIFO's
//    depth is the peak fill it reached;
//  - minimal: from the deep depths, the smallest depth of each FIFO at which the design still
//    completes every frame within the target interval (a binary search per FIFO, the FIFOs
//    searched together round by round), then the depths checked together and raised where
//    the combination needs more than each alone.
// The simulator is a callback (a `sim` child per run in the command; a model in the tests).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/network/fifo_sites.hpp"
#include "models/network/network_config.hpp"

namespace qsim::sweep {

// One simulation of the design with a depth for every FIFO site.
struct FifoRun {
    bool completed = false;  // every frame came out (false: the pipeline stopped)
    uint64_t interval = 0;   // cycles per frame
    std::string stall;       // not completed: the watchdog's verdict and diagnosis
    std::vector<int> peaks;  // per site, rows
};

// Runs the design once per depth vector (one depth per site of fifo_sites()), the input paced
// at a frame every `pace` cycles (0: unpaced), as many at once as it can.
using FifoSimulator = std::function<std::vector<FifoRun>(const std::vector<std::vector<int>>& depths, uint64_t pace)>;

struct FifoSizingRequest {
    double target_fps = 0;     // 0: the bottleneck's frame rate
    double tolerance = 0.001;  // an interval within this fraction above the target keeps the rate
};

struct SizedFifo {
    FifoSite site;
    int deep = 0;     // the depth of the deep run
    int peak = 0;     // its peak fill: the deep method's depth (at least 1)
    int minimal = 0;  // the minimising method's depth
};

struct FifoSizingResult {
    uint64_t bottleneck_interval = 0;  // simulated with deep FIFOs, unpaced
    uint64_t target_interval = 0;      // what the depths must keep
    uint64_t pace = 0;                 // how the acceptance runs pace the input (0: unpaced)
    std::vector<SizedFifo> fifos;
    FifoRun deep_check;     // the deep method's depths, run as the acceptance runs are
    FifoRun minimal_check;  // the minimising method's depths, likewise
    bool deep_keeps_rate = false;
    uint64_t interval_limit = 0;  // a run keeps the rate when it completes within this (target + tolerance)
    int simulations = 0;
    std::vector<std::string> notes;

    bool keeps_rate(const FifoRun& run) const { return run.completed && run.interval <= interval_limit; }
};

// Throws std::runtime_error when the design stops even with deep FIFOs, or when the target is
// faster than the bottleneck allows.
FifoSizingResult size_fifos(const NetworkConfig& net, const FifoSizingRequest& request, const FifoSimulator& simulate);

// "921,984 cycles per frame (216.9 frames/s)"; a run that stopped: "STOPPED: " and its stall.
std::string interval_text(uint64_t cycles, const NetworkConfig& net);
std::string run_text(const FifoRun& run, const NetworkConfig& net);

// A `sim --point` text setting every site's depth (a reader's branch depths as one list).
std::string fifo_point(const NetworkConfig& net, const std::vector<FifoSite>& sites, const std::vector<int>& depths);

// The configuration file `base_file` with every site's depth set (input.fifo_depth, each
// layer's fifo_depth, each reader's input_fifo_depths), `header` before it, paths referred to
// from `out_dir`.
std::string sized_yaml(const std::string& base_file, const NetworkConfig& net, const std::vector<FifoSite>& sites,
                       const std::vector<int>& depths, const std::string& header, const std::string& out_dir);

}  // namespace qsim::sweep
