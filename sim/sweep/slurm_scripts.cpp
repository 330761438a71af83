#include "sim/sweep/slurm_scripts.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "models/common/output_file.hpp"
#include "sim/sweep/checkpoint.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace qsim::sweep {

namespace fs = std::filesystem;

namespace {

// `text` as one word of a bash command line, whatever it holds (quotes, spaces, $(), newlines).
std::string shell_word(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

void write_slurm_scripts(const DesignSpace& space, const RunOptions& o, uint32_t shards) {
    const fs::path dir = fs::absolute(o.out_dir);
    // sbatch replaces %-patterns in --output file names; a % of the directory's own would be taken for one.
    if (dir.string().find('%') != std::string::npos)
        throw std::invalid_argument("--out " + dir.string() + ": a directory whose name has a '%' cannot hold SLURM "
                                    "logs (sbatch reads % as a file-name pattern); give another --out");
    make_output_directory((dir / "slurm").string());
    const std::string spec = (dir / "sweep_spec.json").string();
    write_file_atomically(spec, spec_text(space));
    const std::string sim = shell_word(o.sim_binary);
    const std::string tier = o.tier == RunOptions::Tier::Analytical ? "analytical" : "simulation";
    const std::string slurm_dir = (dir / "slurm").string();
    // Paths go only into quoted words of commands, never into #SBATCH lines (which are not
    // shell-quoted): the log files are sbatch options in submit.sh.
    std::ostringstream array;
    array << "#!/bin/bash\n#SBATCH --job-name=qsim-sweep\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=" << o.jobs
          << "\n# One shard of the sweep per array task (written by sim sweep --slurm " << shards << ").\n"
          << "exec " << sim << " sweep --spec " << shell_word(spec) << " --tier " << tier << " --frames " << o.frames
          << " --jobs " << o.jobs << (o.simulate_doubtful ? "" : " --trust-analytical") << " --shard \"${SLURM_ARRAY_TASK_ID}/" << shards << "\" --out "
          << shell_word(dir.string() + "/shard_") << "\"${SLURM_ARRAY_TASK_ID}\"\n";
    write_file_atomically(slurm_dir + "/array.sbatch", array.str());
    std::ostringstream merge;
    merge << "#!/bin/bash\n#SBATCH --job-name=qsim-sweep-merge\n#SBATCH --ntasks=1\n"
          << "exec " << sim << " sweep-merge --out " << shell_word(dir.string()) << (o.plots ? " --plot" : "");
    for (uint32_t i = 0; i < shards; ++i) merge << " " << shell_word(dir.string() + "/shard_" + std::to_string(i));
    merge << "\n";
    write_file_atomically(slurm_dir + "/merge.sbatch", merge.str());
    std::ostringstream submit;
    submit << "#!/bin/bash\n# Submits the shards as a job array and the merge to run after all of them.\nset -euo pipefail\n"
           << "jid=$(sbatch --parsable --array=0-" << shards - 1 << " --output=" << shell_word(slurm_dir + "/shard_%a.log")
           << " " << shell_word(slurm_dir + "/array.sbatch") << ")\n"
           << "echo \"${jid}\"\n"
           << "sbatch --parsable --dependency=afterok:\"${jid}\" --output=" << shell_word(slurm_dir + "/merge.log") << " "
           << shell_word(slurm_dir + "/merge.sbatch") << "\n";
    write_file_atomically(slurm_dir + "/submit.sh", submit.str());
    fs::permissions(dir / "slurm" / "submit.sh", fs::perms::owner_exec, fs::perm_options::add);
    std::cout << "wrote " << slurm_dir << "/{array.sbatch,merge.sbatch,submit.sh} for " << shards << " shards of "
              << space.point_count() << " points; submit with: bash " << shell_word(slurm_dir + "/submit.sh") << "\n";
}

}  // namespace qsim::sweep
