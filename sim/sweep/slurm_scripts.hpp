// SLURM scripts for a sharded sweep (`sim sweep --slurm N`, docs/sweeps.md).
#pragma once

#include <cstdint>

#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace qsim::sweep {

// Writes OUT/sweep_spec.json, OUT/slurm/array.sbatch (a job array of `shards` tasks, task i
// running shard i/shards into OUT/shard_i with o.sim_binary), OUT/slurm/merge.sbatch and
// OUT/slurm/submit.sh, which submits the array and the merge to run after it
// (--dependency=afterok).
void write_slurm_scripts(const DesignSpace& space, const RunOptions& o, uint32_t shards);

}  // namespace qsim::sweep
