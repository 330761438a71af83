// sweep_bench: how fast the two tiers of `sim sweep` evaluate design points.
//
//   sweep_bench [--points N] [--sim-points M] [--doc FILE]
//   sweep_bench --help | --version
//
// Analytical tier: N random points of AlexNet pruned-40 (folding of conv4 and conv5, conv1's
// MMV and the clock: axes whose every combination is a valid design) evaluated in this process
// on one core as `sim sweep` does (PointEvaluator: the point's design, closed-form cycles,
// resources and doubts, with the layers' derivations and estimates cached across points),
// without writing results; then up to 20,000 of them each derived the whole way
// (evaluate_point), for the ratio.
// Simulation tier: M points simulated bit-true by `sim sweep --tier simulation`, once with
// --jobs 1 and once with --jobs 2; prints points/s and the CPU time of the children over the
// wall time (about 2 when both cores are used).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>

#include "sim/design/yaml_front_end.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/sweep/design_space.hpp"
#include "sim/sweep/point_evaluator.hpp"
#include "sim/sweep/sim_child.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "testbenches/cli/cli.hpp"

namespace {

const char* const kAxes[] = {"conv4.pe=1,2,3,4,6,8,12,16,24,32", "conv4.simd=1,2,4,29,58,116",
                             "conv4.mmv=1,2,7,14",                "conv5.pe=1,2,4,8,16,32,64",
                             "conv5.simd=1,2,3,4,6,8,12,16,24,32,48,64,96,192", "conv5.mmv=1,2,7,14",
                             "conv1.mmv=1,2,3,6,9,18,27,54",      "clock_mhz=100,150,185,200,250"};

// Prints a line of the report and keeps it for --doc.
std::string g_report;
template <class... A>
void report(const char* format, A... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, format, args...);
    std::fputs(buf, stdout);
    g_report += buf;
}

// Replaces what stands between the markers in `path` with the report (and the command and date).
bool write_doc(const std::string& path, const std::string& command) {
    const std::string begin = "<!-- sweep_bench: begin -->", end = "<!-- sweep_bench: end -->";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string doc = text.str();
    const size_t b = doc.find(begin), e = doc.find(end);
    if (!in || b == std::string::npos || e == std::string::npos || e < b) {
        std::fprintf(stderr, "sweep_bench: %s: expected the lines '%s' and '%s'\n", path.c_str(), begin.c_str(),
                     end.c_str());
        return false;
    }
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    const std::string block = begin + "\n`" + command + "` printed on " + date + ":\n\n```\n" + g_report + "```\n";
    doc.replace(b, e - b, block);
    std::ofstream out(path);
    out << doc;
    return bool(out);
}

double children_cpu_seconds() {
    struct rusage u {};
    getrusage(RUSAGE_CHILDREN, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

}  // namespace

int sc_main(int argc, char** argv) {
    namespace po = boost::program_options;
    uint64_t points = 1000000, sim_points = 16;
    std::string doc;
    qsim::cli::Command cmd("sweep_bench", "[--points N] [--sim-points M] [--doc FILE]",
                           "How fast the two tiers of `sim sweep` evaluate AlexNet pruned-40 design points.");
    cmd.options.add_options()
        ("points", po::value(&points)->value_name("N"), "points of the analytical tier (default 1000000)")
        ("doc", po::value(&doc)->value_name("FILE"),
         "also write the report between the lines '<!-- sweep_bench: begin -->' and '<!-- sweep_bench: end -->' "
         "of FILE (docs/sweeps.md)")
        ("sim-points", po::value(&sim_points)->value_name("M"),
         "points of the simulation tier, run with --jobs 1 and 2 (default 16)");
    cmd.notes = "Runs build/sim (beside this program). exit status: 0 ok, 1 a sim run failed, 2 usage error\n";
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    using namespace qsim::sweep;
    const std::string config = std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml";
    DesignSpace space;
    space.config = config;
    for (const char* a : kAxes) space.axes.push_back(parse_axis(a));
    space.sample.mode = SampleSpec::Mode::Random;
    space.sample.points = points;
    space.sample.seed = 11;
    const qsim::design::NetworkSpec base = qsim::design::read_yaml_spec(config);

    // The analytical tier as `sim sweep` runs it (PointEvaluator: what points share cached),
    // then the same points each derived the whole way (evaluate_point), on one core.
    auto time_points = [&](uint64_t n, auto&& evaluate) {
        uint64_t valid = 0;
        const double c0 = thread_cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        for (uint64_t i = 0; i < n; ++i) valid += evaluate(i).valid ? 1 : 0;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return std::array<double, 3>{double(valid), wall, thread_cpu_seconds() - c0};
    };
    PointEvaluator evaluator(space, base);
    const auto cached = time_points(points, [&](uint64_t i) { return evaluator.evaluate(i); });
    // Points per CPU second is the one-core rate on a machine whose other core(s) are busy too.
    report("analytical tier   %llu AlexNet points (%llu valid) in %.3f s wall, %.3f s CPU on one core: "
                "%.0f points/s wall, %.0f points per CPU second\n",
                (unsigned long long)points, (unsigned long long)cached[0], cached[1], cached[2],
                double(points) / cached[1], double(points) / cached[2]);
    const PointEvaluator::Counts& n = evaluator.counts();
    report("                  derived: %llu section combinations, %llu layers, %llu layer estimates%s%s\n",
                (unsigned long long)n.section_derivations, (unsigned long long)n.layer_derivations,
                (unsigned long long)n.layer_estimates, evaluator.uncached_reason().empty() ? "" : "; uncached: ",
                evaluator.uncached_reason().c_str());
    const uint64_t whole_points = std::min<uint64_t>(points, 20000);
    const auto whole = time_points(whole_points, [&](uint64_t i) { return evaluate_point(space, base, i); });
    report("  each derived whole: %llu points in %.3f s CPU: %.0f points per CPU second (%.0fx slower)\n",
                (unsigned long long)whole_points, whole[2], double(whole_points) / whole[2],
                (double(points) / cached[2]) / (double(whole_points) / whole[2]));

    // The simulation tier through the sim binary beside this one.
    const std::string sim = std::filesystem::path(argv[0]).parent_path().string() + "/sim";
    ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    for (int jobs : {1, 2}) {
        const std::string out = "/tmp/sweep_bench_sim_" + std::to_string(getpid()) + "_" + std::to_string(jobs);
        std::vector<std::string> args = {"sweep", "--config", config, "--tier", "simulation", "--frames", "2",
                                         "--jobs", std::to_string(jobs), "--random", std::to_string(sim_points),
                                         "--seed", "5", "--out", out};
        for (const char* a : kAxes) args.insert(args.end(), {"--axis", a});
        const std::string log = out + ".log";
        const double cpu0 = children_cpu_seconds();
        const auto w0 = std::chrono::steady_clock::now();
        const int rc = run_process(sim, args, log);  // an argument vector, no shell
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
        const double cpu = children_cpu_seconds() - cpu0;
        std::filesystem::remove_all(out);
        if (rc != 0) {
            std::ifstream f(log);
            std::string line, last;
            while (std::getline(f, line))
                if (!line.empty()) last = line;
            std::fprintf(stderr, "sweep_bench: sim sweep exited with %d: %s\n", rc, last.c_str());
            std::filesystem::remove(log);
            return 1;
        }
        std::filesystem::remove(log);
        report("simulation tier   %llu points, --jobs %d: %.2f s wall, %.2f points/s, CPU/wall %.2f\n",
                    (unsigned long long)sim_points, jobs, wall, double(sim_points) / wall, cpu / wall);
    }
    if (!doc.empty()) {
        std::string command = "build/sweep_bench";
        for (int a = 1; a < argc; ++a)
            if (std::string(argv[a]).rfind("--doc", 0) != 0 && (a == 1 || std::string(argv[a - 1]) != "--doc"))
                command += std::string(" ") + argv[a];
        if (!write_doc(doc, command)) return 1;
    }
    return 0;
}
