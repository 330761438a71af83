// The outputs of a sweep, written from its checkpoint as a stream (memory independent of the
// number of points): one row per design point in results.csv and results.json (in point order,
// so the same inputs give the same files, sharded or not), the Pareto front of frames/s against
// each resource (pareto.csv, and flags in the rows), and plots drawn with gnuplot: frames/s
// against LUT, BRAM18, DSP and FF with each front, and the per-layer cycle balance of the
// fastest design that fits. Every file is written atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_eval.hpp"

namespace qsim::sweep {

// The column layout of results.csv and pareto.csv, named in their first line (2: lutram and
// uram after dsp, then power_w and energy_per_frame_j, and the fronts of power and energy).
constexpr int kSweepCsvSchemaVersion = 2;

// The front of higher frames/s and lower resource, kept as valid points arrive in index order:
// a point is on it when no other point has at least its frames/s with at most its resource
// (of two equal points, the earlier). Memory: the front only.
class ParetoFront {
public:
    struct Member {
        uint64_t index = 0;
        uint64_t resource = 0;
        double fps = 0;
        std::string point;
    };
    void add(uint64_t index, uint64_t resource, double fps, const std::string& point);
    const std::vector<Member>& members() const { return members_; }  // by resource, ascending
    bool contains(uint64_t index) const;

private:
    std::vector<Member> members_;
};

// Indices (into `rows`, sorted by point index) of the points on the front of `resource`
// ("lut", "ff", "bram18", "dsp"), ordered by the resource.
std::vector<size_t> pareto_front(const std::vector<PointResult>& rows, const std::string& resource);

struct OutputSummary {
    uint64_t rows = 0, valid = 0, fitting = 0;
    std::vector<std::string> files;
};

// Writes results.csv, results.json, pareto.csv and with `plots` the plot files into `dir` from
// the records of the checkpoint `checkpoint`. Throws std::runtime_error when gnuplot is missing
// or fails (the result files are written before).
OutputSummary write_outputs(const std::string& dir, const DesignSpace& space, const std::string& checkpoint,
                            bool plots);

}  // namespace qsim::sweep
