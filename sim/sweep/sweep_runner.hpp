// Running a sweep: the points of one shard of the design space, evaluated by the analytical
// tier in this process or by the simulation tier, one `sim --point` child process per point
// and as many at once as --jobs (SystemC allows one simulation per process). Every finished
// point is appended to DIR/points.jsonl, so an interrupted sweep resumes where it stopped;
// DIR/spec.json records what the points are, so a different sweep is never mixed in. At the
// end the rows of DIR/points.jsonl become results.csv / results.json / pareto.csv (and plots).
#pragma once

#include <stdexcept>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_eval.hpp"

namespace qsim::sweep {

struct RunOptions {
    std::string out_dir = "sweep_out";
    enum class Tier { Analytical, Simulation } tier = Tier::Analytical;
    int frames = 2;         // simulation tier: frames per point
    int jobs = 1;           // simulation tier: child processes at once
    uint32_t shard_index = 0, shard_count = 1;
    bool progress = false;  // a progress bar with ETA on stderr
    bool plots = false;
    // Analytical tier: simulate the points marked `needs simulation` (with sim_binary, `frames`
    // and `jobs` as the simulation tier does); false keeps them analytical, marked.
    bool simulate_doubtful = true;
    std::string sim_binary;  // the sim executable for the simulation tier
};

struct RunSummary {
    uint64_t points = 0;     // in this shard
    uint64_t evaluated = 0;  // now (the rest were in the checkpoint)
    uint64_t valid = 0, fitting = 0;
    double wall_seconds = 0;
    std::vector<std::string> files;  // outputs written
};

// The most points one run (or merge) takes; larger spaces are sampled or sharded.
constexpr uint64_t kMaxPoints = 10'000'000;
// The most simulations a simulation-tier sweep runs at once (--jobs).
constexpr int kMaxJobs = 1024;

// Thrown when Ctrl-C or SIGTERM stopped a sweep: what is done is kept for a resume.
struct Interrupted : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs (or resumes) the sweep. Throws std::runtime_error with a message naming the problem,
// std::invalid_argument for a sweep that is too large, Interrupted when interrupted.
RunSummary run_sweep(const DesignSpace& space, const RunOptions& options);

// Joins the checkpoints of shard directories (all shards of one sweep) into `out_dir`, with
// the same outputs an unsharded run writes. Throws std::runtime_error when shards are missing,
// belong to different sweeps, or lack points.
RunSummary merge_shards(const std::vector<std::string>& shard_dirs, const std::string& out_dir, bool plots);

// Evaluates one point analytically the whole way (loading the config again when the point has
// param axes): the reference PointEvaluator (point_evaluator.hpp) agrees with, and what it
// falls back on.
PointResult evaluate_point(const DesignSpace& space, const design::NetworkSpec& base, uint64_t index);

// How a sweep names a value's origin in its messages ("sweep axis conv4.pe=3").
inline constexpr const char* kSweepAxisOrigin = "sweep axis";

}  // namespace qsim::sweep
