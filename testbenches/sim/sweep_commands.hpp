// The sweep commands of `sim` (docs/sweeps.md):
//   sim sweep        run or resume a sweep (analytical or simulation tier), or write SLURM scripts
//   sim sweep-merge  join the shards of a sweep
//   sim fold         choose every layer's PE / SIMD / MMV for a frame rate or a device
//   sim fifo-size    size every FIFO for a frame rate; sim graph: the design's picture
//   sim timeline     the Gantt picture of a trace
// Each returns the process exit code: 0 ok, 1 bad input, 2 usage.
#pragma once

#include <cstdint>
#include <string>

#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace qsim::sweep {

// "  sweep        ...\n" lines of the subcommands for `sim --help`, and their names.
std::string subcommand_notes();
std::string subcommand_names();
// Whether `name` is one of them, and running it with argv[0] = its name.
bool is_subcommand(const std::string& name);
int run_subcommand(int argc, char** argv);

int sweep_command(int argc, char** argv);
int merge_command(int argc, char** argv);
int fold_command(int argc, char** argv);
int timeline_command(int argc, char** argv);   // testbenches/sim/timeline_command.cpp
int fifo_size_command(int argc, char** argv);  // testbenches/sim/fifo_size_command.cpp
int graph_command(int argc, char** argv);      // testbenches/sim/fifo_size_command.cpp

}  // namespace qsim::sweep
