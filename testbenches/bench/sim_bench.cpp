// sim_bench: how fast the simulator runs a design, bit-true.
//
//   sim_bench [--config configs/alexnet_pruned40.yaml] [--frames 4] [--min-seconds S] [--repeats R] [--bound]
//   sim_bench --help | --version
//
// Prints wall seconds per simulated frame and simulated cycles per wall-second for the
// SystemC model (which computes every layer's data), and, for scale, the wall time of the
// plain golden reference on the same frames.
//
// Steady state. The wall time of a run is a fixed part (the kernel's start, first touches of
// every block's buffers, the pipeline fill and drain: nothing the frame count changes) plus a
// part per frame. For a design whose frames take microseconds the fixed part dominates any run
// of a few frames, so the figure compared with the bound is the marginal cost of a frame:
//
//   steady-state s/frame = (T(N) - T(1)) / (N - 1)
//
// T(N) the wall time of the N-frame simulation (the fastest of --repeats runs, the others in
// child processes: SystemC runs one simulation per process), T(1) of a one-frame simulation of
// the same design (the fastest of up to 3, in child processes; the fastest T(1) gives the
// largest steady figure). Both count the simulation proper,
// as RunResult::wall_seconds does (no parameter setup, no elaboration). The whole-run average
// T(N) / N is printed too. --min-seconds S raises N, when needed, so that the steady part of
// the run lasts about S seconds (estimated from probe runs of 2, 8, 32, ... frames), so that
// timer and scheduler noise is a small part of it.
//
// --bound adds the arithmetic of a frame (MACs per operand kind) and the compute-only bound:
// the datapath kernels' time for the same MACs on pre-packed random operands
// (compute_bound.hpp), with the ratio of the steady-state wall time to it.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>

#include "sim/design/config_loader.hpp"
#include "models/source/input_kernel.hpp"
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/simulation.hpp"
#include "testbenches/bench/compute_bound.hpp"
#include "testbenches/cli/cli.hpp"

namespace {

constexpr int kMaxFrames = 100000;  // --min-seconds never asks for more (the sink keeps every output)

// RunResult::wall_seconds of a `frames`-frame simulation run in a child process; < 0 when it
// failed (an error, a stalled pipeline, fewer frames).
double wall_in_child(const qsim::NetworkConfig& net, const qsim::NetworkParams& params, int frames) {
    int fds[2];
    if (::pipe(fds) != 0) return -1;
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        ::close(fds[0]);
        double wall = -1;
        try {
            qsim::SimOptions options;
            options.frames = frames;
            const qsim::RunResult r = qsim::simulate(net, params, options);
            if (!r.deadlock && r.frames_completed == frames) wall = r.wall_seconds;
        } catch (const std::exception&) {
        }
        const ssize_t n = ::write(fds[1], &wall, sizeof wall);
        ::_exit(n == ssize_t(sizeof wall) ? 0 : 1);
    }
    ::close(fds[1]);
    double wall = -1;
    if (::read(fds[0], &wall, sizeof wall) != ssize_t(sizeof wall)) wall = -1;
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return wall;
}

}  // namespace

int sc_main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string config = "configs/alexnet_pruned40.yaml";
    int frames = 4;
    double min_seconds = 0;
    int repeats = 1;
    bool bound = false;
    qsim::cli::Command cmd("sim_bench", "[--config FILE] [--frames N] [--min-seconds S] [--repeats R] [--bound]",
                           "How fast the simulator runs a design, bit-true: wall seconds per frame (steady state\n"
                           "and whole run) and simulated cycles per wall-second, next to the golden reference's time.");
    cmd.options.add_options()
        ("config", po::value(&config)->value_name("FILE"), "configuration (default configs/alexnet_pruned40.yaml)")
        ("frames", po::value(&frames)->value_name("N"), "frames to simulate, >= 1 (default 4)")
        ("min-seconds", po::value(&min_seconds)->value_name("S"),
         "simulate more than N frames where needed for the steady part of the run to last about S seconds "
         "(estimated from probe runs of 2, 8, 32, ... frames; at most 100000 frames; default 0: exactly N)")
        ("repeats", po::value(&repeats)->value_name("R"),
         "simulate the N frames R times and keep the fastest (a shared machine; default 1)")
        ("bound", po::bool_switch(&bound), "also the MACs of a frame by operand kind and the compute-only bound");
    cmd.notes =
        "steady-state s/frame = (T(N) - T(1)) / (N - 1): T(N) the wall time of the N-frame simulation\n"
        "(the fastest of R), T(1) the fastest of up to 3 one-frame simulations (child processes), both\n"
        "the simulation proper (no parameter setup or elaboration). What a run spends once (the kernel's\n"
        "start, first touches of the buffers, the pipeline fill and drain) is left out; with N = 1 the\n"
        "figure is T(1). The bound's ratio is the steady-state figure over the compute-only bound. The\n"
        "whole-run T(N) / N is printed too. The golden reference is timed over the first N frames or\n"
        "0.5 s, whichever ends first.\n"
        "exit status: 0 ok, 1 bad input, 2 usage error, 3 the pipeline stalled\n";
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (frames < 1) return qsim::cli::usage_error(cmd, "--frames must be >= 1 (got " + std::to_string(frames) + ")");
    if (repeats < 1 || repeats > 100)
        return qsim::cli::usage_error(cmd, "--repeats must be in 1..100 (got " + std::to_string(repeats) + ")");
    if (!(min_seconds >= 0 && min_seconds <= 3600))
        return qsim::cli::usage_error(cmd, "--min-seconds must be in 0..3600 (got " + std::to_string(min_seconds) + ")");
    try {
        const qsim::NetworkConfig net = qsim::load_network_config(config);
        const auto t0 = std::chrono::steady_clock::now();
        const qsim::NetworkParams params = qsim::load_params(net);
        const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

        // One-frame runs: the fastest of up to 3 (fewer when they take over a second together).
        double one = -1, spent = 0;
        int one_runs = 0;
        for (; one_runs < 3 && spent < 1.0; ++one_runs) {
            const double w = wall_in_child(net, params, 1);
            if (w < 0) break;
            one = one < 0 ? w : std::min(one, w);
            spent += w;
        }
        if (one < 0) {
            std::fprintf(stderr, "sim_bench: the one-frame simulation failed\n");
            return 3;
        }
        const int asked = frames;
        if (min_seconds > 0 && frames < kMaxFrames) {
            // Probe runs of 2, 8, 32, ... frames until the frames past the first take an eighth
            // of S (a decompressor's batch makes its first frames cheaper than the rest).
            int probe = 2;
            double t = -1;
            for (;;) {
                t = wall_in_child(net, params, probe);
                if (t < 0 || t - one >= min_seconds / 8 || probe >= kMaxFrames / 4) break;
                probe *= 4;
            }
            if (t > 0) {
                const double per_frame = std::max(t - one, 1e-9) / (probe - 1);
                const double want = std::ceil(min_seconds / per_frame) + 1;
                if (want > frames) frames = int(std::min<double>(want, kMaxFrames));
            }
        }

        // T(N): the fastest of the runs in child processes and the one here (whose figures are printed).
        double wall = -1;
        for (int k = 1; k < repeats; ++k) {
            const double w = wall_in_child(net, params, frames);
            if (w >= 0) wall = wall < 0 ? w : std::min(wall, w);
        }
        qsim::SimOptions options;
        options.frames = frames;
        const qsim::RunResult r = qsim::simulate(net, params, options);
        if (r.deadlock) {
            std::fprintf(stderr, "sim_bench: the pipeline stalled\n");
            return 3;
        }
        wall = wall < 0 ? r.wall_seconds : std::min(wall, r.wall_seconds);
        const double run_per_frame = wall / frames;
        const double steady = frames > 1 ? std::max(0.0, wall - one) / (frames - 1) : std::min(wall, one);

        // As sim --check runs it: the layers' weight matrices built by the first frame, kept;
        // over at most 0.5 s of frames.
        std::vector<qsim::golden::LayerPlan> plans;
        int golden_frames = 0;
        const auto g0 = std::chrono::steady_clock::now();
        double golden = 0;
        while (golden_frames < frames && (golden_frames == 0 || golden < 0.5)) {
            qsim::golden::run_network(net, params, qsim::generate_input_frame(net.input, golden_frames), &plans);
            ++golden_frames;
            golden = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
        }

        std::printf("benchmark                 %s (%s)\n", net.name.c_str(), config.c_str());
        std::printf("frames simulated          %d (bit-true data through every block)%s\n", r.frames_completed,
                    frames > asked ? " (raised by --min-seconds)" : "");
        std::printf("parameter setup           %.3f s\n", setup);
        std::printf("simulation wall time      %.4g s (fastest of %d)\n", wall, repeats);
        std::printf("one-frame simulation      %.4g s (fastest of %d)\n", one, one_runs);
        std::printf("wall seconds per frame    %.4g s (whole run, fill included)\n", run_per_frame);
        std::printf("steady-state per frame    %.4g s (%s)\n", steady,
                    frames > 1 ? "(T(N) - T(1)) / (N - 1)" : "one frame: the fastest T(1)");
        std::printf("simulated cycles          %llu\n", static_cast<unsigned long long>(r.total_cycles));
        std::printf("cycles per wall-second    %.0f\n", wall > 0 ? double(r.total_cycles) / wall : 0.0);
        std::printf("simulated frames/s        %.1f at %.1f MHz\n", r.frames_per_second, net.device.clock_mhz);
        std::printf("golden reference          %.4g s per frame over %d frames (im2col + integer GEMM, for scale)\n",
                    golden / golden_frames, golden_frames);
        if (bound) {
            const qsim::bench::FrameBound b = qsim::bench::measure_compute_bound(net, params);
            std::printf("MACs per frame            %.4g\n", b.macs);
            for (const auto& [kind, macs] : b.macs_by_kind)
                std::printf("  %-22s  %.4g (%.1f%%)\n", kind.c_str(), macs, 100.0 * macs / b.macs);
            bool special = false;
            for (const auto& l : b.layers) special = special || l.special;
            std::printf("compute-only bound        %.4g s per frame (datapath kernels on pre-packed operands%s)\n",
                        b.seconds, special ? "; dense MACs of the special units' layers" : "");
            std::printf("wall / bound              %.2f steady state, %.2f whole run\n", steady / b.seconds,
                        run_per_frame / b.seconds);
            std::printf("BOUND %s wall %.4g bound %.4g ratio %.2f macs %.4g run %.4g frames %d", config.c_str(),
                        steady, b.seconds, steady / b.seconds, b.macs, run_per_frame, r.frames_completed);
            for (const auto& [kind, macs] : b.macs_by_kind) std::printf(" | %s %.3g", kind.c_str(), macs);
            std::printf("\n");
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
