// Evaluating design points: the analytical tier (closed-form cycles from the blocks' timing
// rules, resources from the resource model: the same models the simulation uses, without
// running it) and the record of a point's result, as one JSON line of a sweep's checkpoint.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/accelerator/dataflow_doubts.hpp"
#include "models/accelerator/dataflow_timing.hpp"
#include "models/network/network_config.hpp"
#include "models/power/power_model.hpp"
#include "models/resources/resources.hpp"

namespace qsim::sweep {

struct PointResult {
    uint64_t index = 0;
    std::string point;           // "conv2.pe=11;clock_mhz=150"
    bool valid = true;
    std::string reason;          // why the point is invalid
    std::string tier;            // "analytical" or "simulation"
    double clock_mhz = 0;
    uint64_t interval_cycles = 0;      // analytical
    double frames_per_second = 0;      // analytical
    uint64_t sim_interval_cycles = 0;  // simulation tier only
    double sim_frames_per_second = 0;  // simulation tier only
    double latency_us = -1;            // simulation tier only (-1: not simulated)
    Resources resources;
    // Board power and energy per frame (docs/power.md): the analytical tier's from random data
    // (an upper bound) at its duties, a simulated point's from its simulated data.
    double power_w = 0;
    double energy_per_frame_j = 0;
    bool fits = false;
    std::vector<std::string> exceeded;
    std::string bottleneck;            // "conv3 mvtu", "source"
    std::vector<std::pair<std::string, uint64_t>> layer_cycles;  // each layer's slowest block, per frame
    // Why the analytical interval may be wrong (models/accelerator/dataflow_doubts.hpp), "" when
    // it holds: such a point is `needs simulation`, and a sweep simulates it unless told not to.
    std::string needs_simulation;

    // frames/s of the row: simulated where simulated, else analytical.
    double fps() const { return tier == "simulation" ? sim_frames_per_second : frames_per_second; }
};

// Evaluates a derived configuration analytically (no SystemC, no strings beyond the bottleneck).
PointResult evaluate_analytical(const NetworkConfig& net);
// The power of an analytical point: `terms` for the parts outside the layers, then one per
// device layer; `unit_cycles` / `swu_cycles` each layer's unit and SWU read side per frame.
void add_power(PointResult& r, const NetworkConfig& net, const std::vector<PowerTerms>& terms,
               const std::vector<uint64_t>& unit_cycles, const std::vector<uint64_t>& swu_cycles);
// A layer's unit and SWU read-side cycles per frame among `blocks` (0 when it has none).
std::pair<uint64_t, uint64_t> unit_and_swu_cycles(const std::vector<BlockEstimate>& blocks, const std::string& layer);

// The doubts about a point's interval (dataflow_doubts.hpp): each named in needs_simulation; a
// coupled interval above the estimate becomes the point's interval, its burst the bottleneck.
void add_doubts(PointResult& r, const std::vector<EstimateDoubt>& doubts, double clock_hz);

nlohmann::json to_json(const PointResult& r);
PointResult from_json(const nlohmann::json& j);

}  // namespace qsim::sweep
