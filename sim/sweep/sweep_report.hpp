// The outputs of a sweep: one row per design point in results.csv and results.json (in point
// order, so the same inputs give the same files, sharded or not), the Pareto front of frames/s
// against each resource (pareto.csv, and flags in the rows), and plots drawn with gnuplot:
// frames/s against LUT, BRAM18, DSP and FF with each front, and the per-layer cycle balance of
// the fastest design that fits.
#pragma once

#include <string>
#include <vector>

#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_eval.hpp"

namespace qsim::sweep {

// Indices (into `rows`) of the points on the front of higher frames/s and lower `resource`
// ("lut", "ff", "bram18", "dsp"): no other valid point has at least the frames/s with at most
// the resource and is better in one. Ordered by the resource.
std::vector<size_t> pareto_front(const std::vector<PointResult>& rows, const std::string& resource);

// Writes results.csv, results.json and pareto.csv into `dir`. Rows must be sorted by index.
void write_results(const std::string& dir, const DesignSpace& space, const std::vector<PointResult>& rows);

// Draws pareto_<resource>.png/.svg and balance.png/.svg into `dir` with gnuplot; returns the
// files written, or throws std::runtime_error when gnuplot is missing or fails.
std::vector<std::string> write_plots(const std::string& dir, const std::vector<PointResult>& rows);

}  // namespace qsim::sweep
