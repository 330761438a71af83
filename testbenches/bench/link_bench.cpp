// link_bench: the same host-linked run in both TLM timing modes, side by side.
//
//   link_bench [--config configs/alexnet_pcie.yaml] [--frames 2] [--repeat 3] [--set NAME=VALUE ...]
//   link_bench --help | --version
//
// Runs `sim` once per mode and repetition (SystemC allows one simulation per process), loosely
// timed and approximately timed, and prints for each mode the simulation's wall time (the
// fastest of the repetitions; sc_start only, the configuration and parameter set-up excluded),
// the whole process's wall time (fastest; set-up included, the same work in both modes) and
// the frames/s the host saw, then the ratio of the simulation wall times, the difference of
// the frame rates, and whether the two modes produced the same outputs (CRC-32 of the output
// codes and frame count). Exits 1 when the outputs differ.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "models/common/errors.hpp"
#include "sim/sweep/sim_child.hpp"
#include "testbenches/cli/cli.hpp"

namespace {

std::string sim_path(const char* argv0) {
    const std::string self = argv0;
    const auto slash = self.rfind('/');
    return (slash == std::string::npos ? std::string(".") : self.substr(0, slash)) + "/sim";
}

struct ModeRun {
    double wall = 0.0;     // fastest repetition, sc_start
    double process = 0.0;  // fastest repetition, the whole sim process
    nlohmann::json report;
};

}  // namespace

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    // --frames stays text: it is handed to sim, which checks it.
    std::string config = "configs/alexnet_pcie.yaml", frames = "2";
    int repeat = 3;
    std::vector<std::string> sets;
    qsim::cli::Command cmd("link_bench", "[--config FILE] [--frames N] [--repeat N] [--set NAME=VALUE ...]",
                           "The same host-linked run of sim in both TLM timing modes (loosely and approximately\n"
                           "timed), side by side: wall times, frame rates and whether the outputs agree.");
    cmd.options.add_options()
        ("config", po::value(&config)->value_name("FILE"), "configuration (default configs/alexnet_pcie.yaml)")
        ("frames", po::value(&frames)->value_name("N"), "frames per run (default 2)")
        ("repeat", po::value(&repeat)->value_name("N"), "runs per mode, the fastest is reported (default 3)")
        ("set", po::value(&sets)->value_name("NAME=VALUE")->composing(), "passed to sim as --set NAME=VALUE");
    cmd.notes = "Runs build/sim (beside this program). exit status: 0 same outputs, 1 a run failed or the\n"
                "outputs differ, 2 usage error\n";
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (repeat < 1 || repeat > 1000) return qsim::cli::usage_error(cmd, "--repeat must be in 1..1000");
    ModeRun runs[2];
    const char* modes[2] = {"lt", "at"};
    ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    for (int r = 0; r < repeat; ++r) {
        for (int m = 0; m < 2; ++m) {
            // sim started from an argument vector: no path or value passes through a shell.
            std::vector<std::string> args = {"--config", config, "--frames", frames};
            for (const std::string& s : sets) args.insert(args.end(), {"--set", s});
            args.insert(args.end(), {"--set", std::string("timing=") + modes[m]});
            const auto t0 = std::chrono::steady_clock::now();
            qsim::sweep::SimOutcome out;
            try {
                out = qsim::sweep::run_sim(sim_path(argv[0]), args, "/tmp", "link_bench_" + std::to_string(getpid()));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "link_bench: %s\n", qsim::one_line(e.what()).c_str());
                return 1;
            }
            if (out.exit_code != 0) {
                std::fprintf(stderr, "link_bench: sim (timing=%s) exited with %d: %s\n", modes[m], out.exit_code,
                             out.last_line.c_str());
                return 1;
            }
            const double process = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (r == 0 || process < runs[m].process) runs[m].process = process;
            const nlohmann::json& j = out.report;
            const double wall = j["simulation"]["wall_seconds"];
            if (r == 0 || wall < runs[m].wall) runs[m].wall = wall;
            if (r == 0) {
                runs[m].report = j;
            } else if (j["outputs"] != runs[m].report["outputs"]) {
                std::fprintf(stderr, "link_bench: %s run %d gave other outputs than run 1\n", modes[m], r + 1);
                return 1;
            }
        }
    }
    const nlohmann::json& lt = runs[0].report;
    const nlohmann::json& at = runs[1].report;
    const bool same_outputs = lt["outputs"] == at["outputs"];
    const double fps_lt = lt["host"]["frames_per_second"], fps_at = at["host"]["frames_per_second"];
    std::string shown = config;  // the configuration as given, with its --set values
    for (const std::string& s : sets) shown += " --set " + s;
    std::printf("config                    %s, %s frames (%s architecture), fastest of %d runs per mode\n",
                shown.c_str(), frames.c_str(), lt["host"]["architecture"].get<std::string>().c_str(),
                repeat);
    std::printf("loosely timed             %.3f s wall, %.2f frames/s at the host (whole process %.3f s)\n",
                runs[0].wall, fps_lt, runs[0].process);
    std::printf("approximately timed       %.3f s wall, %.2f frames/s at the host (whole process %.3f s)\n",
                runs[1].wall, fps_at, runs[1].process);
    std::printf("speed-up LT over AT       %.2fx\n", runs[0].wall > 0 ? runs[1].wall / runs[0].wall : 0.0);
    std::printf("frame rate AT vs LT       %+.2f%%\n", fps_lt > 0 ? 100.0 * (fps_at / fps_lt - 1.0) : 0.0);
    std::printf("same outputs              %s (crc32 %u, %d frames)\n", same_outputs ? "yes" : "NO",
                lt["outputs"]["crc32"].get<unsigned>(), lt["outputs"]["frames"].get<int>());
    return same_outputs ? 0 : 1;
}
