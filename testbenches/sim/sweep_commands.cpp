#include "testbenches/sim/sweep_commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "sim/design/config_loader.hpp"
#include "models/common/output_file.hpp"
#include "models/common/text_format.hpp"
#include "sim/sweep/auto_fold.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "testbenches/cli/cli.hpp"
#include "sim/sweep/sim_child.hpp"
#include "sim/sweep/slurm_scripts.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace qsim::sweep {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

bool parse_shard(const std::string& text, uint32_t& index, uint32_t& count) {
    const size_t slash = text.find('/');
    if (slash == std::string::npos) return false;
    try {
        size_t a = 0, b = 0;
        const unsigned long i = std::stoul(text.substr(0, slash), &a), n = std::stoul(text.substr(slash + 1), &b);
        if (a != slash || b != text.size() - slash - 1 || n == 0 || i >= n || n > 1000000) return false;
        index = uint32_t(i);
        count = uint32_t(n);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void print_summary(const RunSummary& s, const std::string& what) {
    char wall[32];
    std::snprintf(wall, sizeof wall, "%.2f", s.wall_seconds);
    std::cout << what << " " << s.points << " points (" << s.evaluated << " evaluated now, " << s.valid << " valid, "
              << s.fitting << " fit the device) in " << wall << " s\n";
    for (const auto& f : s.files) std::cout << "  " << f << "\n";
}

}  // namespace

namespace {

struct SubcommandEntry {
    const char* name;
    const char* summary;
    int (*run)(int, char**);
};
const SubcommandEntry kSubcommands[] = {
    {"sweep", "evaluate a design space (analytical or simulated), resume, shard, plot", sweep_command},
    {"sweep-merge", "join the shards of one sweep", merge_command},
    {"fold", "choose every layer's PE / SIMD / MMV for a frame rate or the device", fold_command},
    {"fifo-size", "size every FIFO (skip paths above all) for the bottleneck's or a target frame rate", fifo_size_command},
    {"graph", "simulate and write the design's dataflow graph (DOT, SVG, PNG)", graph_command},
    {"timeline", "draw the Gantt picture (SVG/PNG) of a trace written by sim --trace", timeline_command},
};

}  // namespace

std::string subcommand_notes() {
    std::string s = "commands:\n";
    for (const auto& c : kSubcommands) {
        std::string name = c.name;
        name.resize(13, ' ');
        s += "  " + name + c.summary + "\n";
    }
    return s;
}

std::string subcommand_names() {
    std::string s;
    for (const auto& c : kSubcommands) s += (s.empty() ? "" : ", ") + std::string(c.name);
    return s;
}

bool is_subcommand(const std::string& name) {
    for (const auto& c : kSubcommands)
        if (name == c.name) return true;
    return false;
}

int run_subcommand(int argc, char** argv) {
    for (const auto& c : kSubcommands)
        if (argv[0] == std::string(c.name)) return c.run(argc, argv);
    return 2;
}

int sweep_command(int argc, char** argv) {
    cli::Command cmd("sim", "(--config FILE | --spec FILE) --axis NAME=VALUES ... [--out DIR] [--tier simulation]",
                     "Evaluate a design space: a grid or random sample of overrides, analytical or simulated "
                     "(docs/sweeps.md).",
                     "sweep");
    cmd.notes = "exit status: 0 ok, 1 bad input, 2 usage error (an axis naming no field of the configuration)\n";
    po::options_description& desc = cmd.options;
    std::string config, spec, out = "sweep_out", tier = "analytical", shard;
    std::vector<std::string> axes, sets;
    std::string random, seed, slurm_text;
    int frames = 2, jobs = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    desc.add_options()
        ("config,c", po::value<std::string>(&config), "base configuration (YAML)")
        ("spec", po::value<std::string>(&spec), "sweep spec file (YAML or JSON): config, set, axes, sample")
        ("axis,a", po::value<std::vector<std::string>>(&axes)->composing(),
         "an axis NAME=VALUES, e.g. conv2.pe=11,22,77, conv4.reuse=1..8*2, clock_mhz=150,185, param.wbits=1..8")
        ("set", po::value<std::vector<std::string>>(&sets)->composing(), "a config parameter for every point: NAME=VALUE")
        ("random", po::value<std::string>(&random), "a seeded random sample of N points instead of the whole grid")
        ("seed", po::value<std::string>(&seed), "seed of the random sample (default 1)")
        ("tier", po::value<std::string>(&tier), "analytical (closed form, default) or simulation (SystemC per point)")
        ("frames", po::value<int>(&frames), "simulated points: frames per point (default 2)")
        ("jobs,j", po::value<int>(&jobs), "simulated points: how many at once (default: the cores)")
        ("trust-analytical",
         "analytical tier: do not simulate the points it marks 'needs simulation' (bursts larger than the buffers "
         "between blocks, where the closed form cannot know); they stay analytical, marked")
        ("out,o", po::value<std::string>(&out), "output directory (default sweep_out); an existing one is resumed")
        ("shard", po::value<std::string>(&shard), "run only shard i of N: i/N (points with index % N == i)")
        ("plot", "draw the Pareto fronts and the cycle balance with gnuplot")
        ("progress", "a progress bar with ETA (default when stderr is a terminal)")
        ("slurm", po::value<std::string>(&slurm_text), "write a SLURM job array of N shards and a merge job instead of running");
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const po::variables_map& vm = parsed.values;
    DesignSpace space;
    RunOptions o;
    uint32_t slurm = 0;
    try {
        if (!spec.empty()) read_spec_file(spec, space);
    } catch (const std::invalid_argument& e) {  // FILE:LINE:COL: FIELD: message
        std::cerr << one_line(e.what()) << "\n";
        return 1;
    }
    try {
        if (!config.empty()) space.config = config;
        // The sweep's outputs are JSON, which holds UTF-8 text only.
        if (!valid_utf8(space.config)) throw std::invalid_argument("--config: the path is not UTF-8 text");
        for (const auto& a : axes) add_axis(space, parse_axis(a));
        for (const auto& s : sets) {
            const size_t eq = s.find('=');
            if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--set expects NAME=VALUE (got '" + s + "')");
            if (!valid_utf8(s)) throw std::invalid_argument("--set " + s.substr(0, eq) + ": the value is not UTF-8 text");
            space.base_params[s.substr(0, eq)] = s.substr(eq + 1);
        }
        if (vm.count("random")) {
            space.sample.mode = SampleSpec::Mode::Random;
            space.sample.points = cli::parse_count("--random", random, 1, kMaxPoints);
        }
        if (vm.count("seed")) space.sample.seed = cli::parse_count("--seed", seed, 0, UINT64_MAX);
        if (vm.count("slurm")) slurm = uint32_t(cli::parse_count("--slurm", slurm_text, 1, 100000));
    } catch (const std::exception& e) {
        return cli::usage_error(cmd, e.what());
    }
    if (space.config.empty()) {
        return cli::usage_error(cmd, "--config (or a spec file with config:) is required");
    }
    if (space.axes.empty()) {
        return cli::usage_error(cmd, "give at least one --axis (or axes: in the spec file)");
    }
    space.config = fs::absolute(space.config).lexically_normal().string();
    if (tier != "analytical" && tier != "simulation") {
        return cli::usage_error(cmd, std::string("--tier must be analytical or simulation (got '") + tier + "')");
    }
    o.tier = tier == "analytical" ? RunOptions::Tier::Analytical : RunOptions::Tier::Simulation;
    if (frames < 1 || jobs < 1) {
        return cli::usage_error(cmd, "--frames and --jobs must be >= 1");
    }
    if (jobs > kMaxJobs) {
        return cli::usage_error(cmd, "--jobs " + std::to_string(jobs) + ": at most " + std::to_string(kMaxJobs) +
                                         " simulations at once");
    }
    o.frames = frames;
    o.jobs = jobs;
    o.out_dir = out;
    o.plots = vm.count("plot") > 0;
    o.progress = vm.count("progress") > 0 || isatty(2);
    o.sim_binary = self_executable();
    o.simulate_doubtful = vm.count("trust-analytical") == 0;
    if (!shard.empty() && !parse_shard(shard, o.shard_index, o.shard_count)) {
        return cli::usage_error(cmd, std::string("--shard expects i/N with 0 <= i < N (got '") + shard + "')");
    }
    try {
        if (slurm > 0) {
            write_slurm_scripts(space, o, slurm);
            return 0;
        }
        const RunSummary s = run_sweep(space, o);
        print_summary(s, "sweep:");
    } catch (const ConfigError& e) {
        std::cerr << one_line(e.what()) << "\n";
        return 1;
    } catch (const std::invalid_argument& e) {  // an axis naming no field of the config
        return cli::usage_error(cmd, e.what());
    } catch (const Interrupted& e) {
        std::cerr << "sim sweep: interrupted: " << one_line(e.what()) << "\n";
        return 130;
    } catch (const std::exception& e) {
        std::cerr << "sim sweep: " << one_line(e.what()) << "\n";
        return 1;
    }
    return 0;
}

int merge_command(int argc, char** argv) {
    cli::Command cmd("sim", "--out DIR SHARD_DIR...", "Join the shards of one sweep into DIR.", "sweep-merge");
    std::string out;
    std::vector<std::string> shards;
    cmd.options.add_options()("out,o", po::value<std::string>(&out), "output directory (required)")("plot", "draw the plots");
    cmd.hidden.add_options()("shard-dir", po::value<std::vector<std::string>>(&shards), "shard directories");
    cmd.positional.add("shard-dir", -1);
    cmd.notes = "SHARD_DIR: the --out directories of every shard of the sweep\n";
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const po::variables_map& vm = parsed.values;
    if (out.empty() || shards.empty()) {
        return cli::usage_error(cmd, "--out DIR and at least one SHARD_DIR are required");
    }
    try {
        print_summary(merge_shards(shards, out, vm.count("plot") > 0), "sweep-merge:");
    } catch (const std::invalid_argument& e) {  // --out is one of the shards
        return cli::usage_error(cmd, e.what());
    } catch (const std::exception& e) {
        std::cerr << "sim sweep-merge: " << one_line(e.what()) << "\n";
        return 1;
    }
    return 0;
}

namespace {

// fold's verification: the folded design written beside a temporary report and simulated by a
// `sim` child for `frames` frames (at least three batches of a batched decompressor layer, whose
// frames leave together); its interval in cycles per frame.
FoldSimulator fold_simulator(const std::string& config, int min_frames) {
    return [config, min_frames](const FoldResult& r) -> uint64_t {
        const int frames = std::max(min_frames, 3 * network_batch(r.net));
        char pattern[] = "/tmp/qsim_fold_XXXXXX";
        const char* dir = mkdtemp(pattern);
        if (!dir) throw std::runtime_error(std::string("cannot make a temporary directory: ") + std::strerror(errno));
        struct RemoveDir {  // the temporary directory goes whatever happens
            std::string path;
            ~RemoveDir() {
                std::error_code ec;
                fs::remove_all(path, ec);
            }
        } const cleanup{dir};
        const std::string folded = std::string(dir) + "/folded.yaml";
        write_file_atomically(folded, folded_yaml(config, r, "", dir));
        const SimOutcome o = run_sim(self_executable(),
                                     {"--config", folded, "--frames", std::to_string(frames), "--timing-only"}, dir, "run");
        if (o.exit_code != 0)
            throw std::runtime_error("the folded design does not simulate (sim exited " + std::to_string(o.exit_code) +
                                     "): " + o.last_line);
        return o.report.at("performance").at("interval_cycles").get<uint64_t>();
    };
}

}  // namespace

int fold_command(int argc, char** argv) {
    cli::Command cmd("sim", "--config FILE [--target-fps F] [--keep LAYER ...] [--out FILE]",
                     "Choose every layer's PE / SIMD / MMV for a frame rate or the device, and simulate the result "
                     "(docs/sweeps.md).",
                     "fold");
    cmd.notes = "exit status: 0 ok, 1 bad input or the target frame rate not reached (the closest folding is still "
                "written), 2 usage error\n";
    po::options_description& desc = cmd.options;
    std::string config, out;
    std::vector<std::string> sets, keep;
    double fps = 0;
    int frames = 4;
    desc.add_options()("config,c", po::value<std::string>(&config), "configuration (YAML)")(
        "set", po::value<std::vector<std::string>>(&sets)->composing(), "a config parameter: NAME=VALUE")(
        "target-fps", po::value<double>(&fps),
        "the frame rate to balance every layer to (default: the fastest folding that fits the device)")(
        "keep", po::value<std::vector<std::string>>(&keep)->composing(),
        "keep this layer's folding as configured (repeatable; e.g. the first layer the source fixes)")(
        "frames", po::value<int>(&frames), "frames the folded design is simulated for (default 4)")(
        "no-simulate", "report the closed form only, without simulating the folded design")(
        "out,o", po::value<std::string>(&out), "write the folded configuration here (default: print it)");
    const cli::Parsed parsed = cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const po::variables_map& vm = parsed.values;
    if (config.empty()) {
        return cli::usage_error(cmd, "--config is required");
    }
    if (vm.count("target-fps") && !(fps > 0 && std::isfinite(fps))) {
        return cli::usage_error(cmd, "--target-fps must be a finite number > 0");
    }
    if (frames < 2) {
        return cli::usage_error(cmd, "--frames must be >= 2 (an interval needs two frames)");
    }
    std::map<std::string, std::string> params;
    for (const auto& s : sets) {
        const size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            return cli::usage_error(cmd, std::string("--set expects NAME=VALUE (got '") + s + "')");
        }
        params[s.substr(0, eq)] = s.substr(eq + 1);
    }
    if (!out.empty() && same_file(out, config)) {
        return cli::usage_error(cmd, "--out " + out + " is the configuration being folded; write the folded one elsewhere");
    }
    try {
        if (!out.empty()) check_writable(out);  // before the search and the simulations
        const design::NetworkSpec base = design::read_yaml_spec(config, params);
        FoldRequest req;
        req.target_fps = fps;
        req.keep = keep;
        const bool simulated = !vm.count("no-simulate");
        const FoldResult r = auto_fold(base, req, simulated ? fold_simulator(config, frames) : FoldSimulator());
        const NetworkConfig& net = r.net;
        std::ostringstream figures;  // "50,176 cycles per frame simulated (50,176 analytical), 3687.02 frames/s"
        if (simulated)
            figures << grouped(r.sim_interval_cycles) << " cycles per frame simulated (" << grouped(r.interval_cycles)
                    << " analytical), " << r.sim_frames_per_second << " frames/s";
        else
            figures << grouped(r.interval_cycles) << " cycles per frame analytical (not simulated), "
                    << r.frames_per_second << " frames/s";
        std::ostringstream resources;
        resources << grouped(r.resources.lut) << " LUT, " << grouped(r.resources.bram18) << " BRAM18, "
                  << grouped(r.resources.dsp) << " DSP: " << (r.fits ? "fits the " : "does NOT fit the ")
                  << net.device.name;
        std::ostringstream head;
        head << "# Folded by `sim fold --config " << config;
        if (fps > 0) head << " --target-fps " << fps;
        for (const auto& k : keep) head << " --keep " << k;
        head << "`: every layer balanced to " << grouped(r.target_cycles)
             << " cycles per frame with the fewest PE x SIMD x MMV lanes (ties: largest SIMD, then PE).\n"
             << "# Result: " << figures.str() << " at " << net.device.clock_mhz << " MHz; " << resources.str() << ".\n";
        for (const auto& n : r.notes) head << "# Note: " << n << ".\n";
        const std::string yaml = folded_yaml(config, r, head.str(), out.empty() ? "." : fs::path(out).parent_path().string());
        std::cerr << "fold: " << figures.str() << "; " << resources.str() << "\n";
        if (simulated && r.sim_interval_cycles &&
            std::fabs(double(r.sim_interval_cycles) - double(r.interval_cycles)) > 0.01 * double(r.sim_interval_cycles))
            std::cerr << "note: the closed form is " << std::fixed << std::setprecision(1)
                      << 100.0 * (double(r.sim_interval_cycles) / double(r.interval_cycles) - 1.0) << std::defaultfloat
                      << "% off the simulation for this design (the analytical tier's limits: docs/sweeps.md); "
                         "the simulated figure is the one reported\n";
        for (const auto& n : r.notes) std::cerr << "note: " << n << "\n";
        for (const auto& e : r.exceeded) std::cerr << "exceeded: " << e << "\n";
        for (const auto& l : net.layers)
            std::cerr << "  " << l.name << ": PE " << l.folding.pe << ", SIMD " << l.folding.simd << ", MMV "
                      << l.folding.mmv << " (" << l.out.channels << " channels)\n";
        if (out.empty()) {
            std::cout << yaml;
        } else {
            write_file_atomically(out, yaml);
        }
        if (!r.target_reached) {
            std::cerr << "sim fold: cannot reach " << fps << " frames/s: the fastest folding found "
                      << (simulated ? "simulates at " : "reaches ") << grouped(r.reported_cycles())
                      << " cycles per frame (" << net.clock_hz() / double(r.reported_cycles()) << " frames/s)\n";
            return 1;
        }
    } catch (const ConfigError& e) {
        std::cerr << one_line(e.what()) << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "sim fold: " << one_line(e.what()) << "\n";
        return 1;
    }
    return 0;
}

}  // namespace qsim::sweep
