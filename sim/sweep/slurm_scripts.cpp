#include "sim/sweep/slurm_scripts.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/sweep/sweep_spec.hpp"

namespace qsim::sweep {

namespace fs = std::filesystem;

void write_slurm_scripts(const DesignSpace& space, const RunOptions& o, uint32_t shards) {
    const fs::path dir = fs::absolute(o.out_dir);
    fs::create_directories(dir / "slurm");
    const std::string spec = (dir / "sweep_spec.json").string();
    std::ofstream(spec) << spec_text(space);
    const std::string& sim = o.sim_binary;
    const std::string tier = o.tier == RunOptions::Tier::Analytical ? "analytical" : "simulation";
    std::ofstream array(dir / "slurm" / "array.sbatch");
    array << "#!/bin/bash\n#SBATCH --job-name=qsim-sweep\n#SBATCH --array=0-" << shards - 1
          << "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=" << o.jobs << "\n#SBATCH --output=" << (dir / "slurm").string()
          << "/shard_%a.log\n"
          << "# One shard of the sweep per array task (written by sim sweep --slurm " << shards << ").\n"
          << "exec '" << sim << "' sweep --spec '" << spec << "' --tier " << tier << " --frames " << o.frames
          << " --jobs " << o.jobs << " --shard ${SLURM_ARRAY_TASK_ID}/" << shards << " --out \"" << dir.string()
          << "/shard_${SLURM_ARRAY_TASK_ID}\"\n";
    std::ofstream merge(dir / "slurm" / "merge.sbatch");
    merge << "#!/bin/bash\n#SBATCH --job-name=qsim-sweep-merge\n#SBATCH --ntasks=1\n#SBATCH --output="
          << (dir / "slurm").string() << "/merge.log\n"
          << "exec '" << sim << "' sweep-merge --out '" << dir.string() << "'" << (o.plots ? " --plot" : "");
    for (uint32_t i = 0; i < shards; ++i) merge << " '" << dir.string() << "/shard_" << i << "'";
    merge << "\n";
    std::ofstream submit(dir / "slurm" / "submit.sh");
    submit << "#!/bin/bash\n# Submits the shards as a job array and the merge to run after all of them.\nset -euo pipefail\n"
           << "jid=$(sbatch --parsable '" << (dir / "slurm" / "array.sbatch").string() << "')\n"
           << "echo \"${jid}\"\n"
           << "sbatch --parsable --dependency=afterok:${jid} '" << (dir / "slurm" / "merge.sbatch").string() << "'\n";
    fs::permissions(dir / "slurm" / "submit.sh", fs::perms::owner_exec, fs::perm_options::add);
    std::cout << "wrote " << (dir / "slurm").string() << "/{array.sbatch,merge.sbatch,submit.sh} for " << shards
              << " shards of " << space.point_count() << " points; submit with: bash "
              << (dir / "slurm" / "submit.sh").string() << "\n";
}

}  // namespace qsim::sweep
