// The sweep commands of `sim` (docs/sweeps.md):
//   sim sweep        run or resume a sweep (analytical or simulation tier), or write SLURM scripts
//   sim sweep-merge  join the shards of a sweep
//   sim fold         choose every layer's PE / SIMD / MMV for a frame rate or a device
// Each returns the process exit code: 0 ok, 1 bad input, 2 usage.
#pragma once

#include <cstdint>

#include "testbenches/sweep/design_space.hpp"
#include "testbenches/sweep/sweep_runner.hpp"

namespace qsim::sweep {

// Writes OUT/sweep_spec.json, OUT/slurm/array.sbatch (a job array of `shards` tasks, task i
// running shard i/shards into OUT/shard_i), OUT/slurm/merge.sbatch and OUT/slurm/submit.sh,
// which submits the array and the merge to run after it (--dependency=afterok).
void write_slurm_scripts(const DesignSpace& space, const RunOptions& o, uint32_t shards);

int sweep_command(int argc, char** argv);
int merge_command(int argc, char** argv);
int fold_command(int argc, char** argv);

}  // namespace qsim::sweep
