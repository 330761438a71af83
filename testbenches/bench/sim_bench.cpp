// sim_bench: how fast the simulator runs a design, bit-true.
//
//   sim_bench [--config configs/alexnet_pruned40.yaml] [--frames 4] [--bound]
//   sim_bench --help | --version
//
// Prints wall seconds per simulated frame and simulated cycles per wall-second for the
// SystemC model (which computes every layer's data), and, for scale, the wall time of the
// plain golden reference on the same frames. One simulation per process (SystemC).
// --bound adds the arithmetic of a frame (MACs per operand kind) and the compute-only bound:
// the datapath kernels' time for the same MACs on pre-packed random operands
// (compute_bound.hpp), with the ratio of the bit-true wall time to it.
#include <chrono>
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

int sc_main(int argc, char** argv) {
    namespace po = boost::program_options;
    std::string config = "configs/alexnet_pruned40.yaml";
    int frames = 4;
    bool bound = false;
    qsim::cli::Command cmd("sim_bench", "[--config FILE] [--frames N] [--bound]",
                           "How fast the simulator runs a design, bit-true: wall seconds per frame and simulated\n"
                           "cycles per wall-second, next to the golden reference's time.");
    cmd.options.add_options()
        ("config", po::value(&config)->value_name("FILE"), "configuration (default configs/alexnet_pruned40.yaml)")
        ("frames", po::value(&frames)->value_name("N"), "frames to simulate, >= 1 (default 4)")
        ("bound", po::bool_switch(&bound), "also the MACs of a frame by operand kind and the compute-only bound");
    cmd.notes = "exit status: 0 ok, 1 bad input, 2 usage error, 3 the pipeline stalled\n";
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (frames < 1) return qsim::cli::usage_error(cmd, "--frames must be >= 1 (got " + std::to_string(frames) + ")");
    try {
        const qsim::NetworkConfig net = qsim::load_network_config(config);
        const auto t0 = std::chrono::steady_clock::now();
        const qsim::NetworkParams params = qsim::load_params(net);
        const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

        qsim::SimOptions options;
        options.frames = frames;
        const qsim::RunResult r = qsim::simulate(net, params, options);
        if (r.deadlock) {
            std::fprintf(stderr, "sim_bench: the pipeline stalled\n");
            return 3;
        }

        // As sim --check runs it: the layers' weight matrices built by the first frame, kept.
        std::vector<qsim::golden::LayerPlan> plans;
        const auto g0 = std::chrono::steady_clock::now();
        for (int f = 0; f < frames; ++f)
            qsim::golden::run_network(net, params, qsim::generate_input_frame(net.input, f), &plans);
        const double golden = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();

        std::printf("benchmark                 %s (%s)\n", net.name.c_str(), config.c_str());
        std::printf("frames simulated          %d (bit-true data through every block)\n", r.frames_completed);
        std::printf("parameter setup           %.3f s\n", setup);
        std::printf("simulation wall time      %.3f s\n", r.wall_seconds);
        std::printf("wall seconds per frame    %.4f s\n", r.wall_seconds_per_frame);
        std::printf("simulated cycles          %llu\n", static_cast<unsigned long long>(r.total_cycles));
        std::printf("cycles per wall-second    %.0f\n", r.cycles_per_wall_second);
        std::printf("simulated frames/s        %.1f at %.1f MHz\n", r.frames_per_second, net.device.clock_mhz);
        std::printf("golden reference          %.4f s per frame (im2col + integer GEMM, for scale)\n", golden / frames);
        if (bound) {
            const qsim::bench::FrameBound b = qsim::bench::measure_compute_bound(net, params);
            std::printf("MACs per frame            %.4g\n", b.macs);
            for (const auto& [kind, macs] : b.macs_by_kind)
                std::printf("  %-22s  %.4g (%.1f%%)\n", kind.c_str(), macs, 100.0 * macs / b.macs);
            bool special = false;
            for (const auto& l : b.layers) special = special || l.special;
            std::printf("compute-only bound        %.4f s per frame (datapath kernels on pre-packed operands%s)\n",
                        b.seconds, special ? "; dense MACs of the special units' layers" : "");
            std::printf("wall / bound              %.1f\n", r.wall_seconds_per_frame / b.seconds);
            std::printf("BOUND %s wall %.4f bound %.4f ratio %.1f macs %.4g", config.c_str(), r.wall_seconds_per_frame,
                        b.seconds, r.wall_seconds_per_frame / b.seconds, b.macs);
            for (const auto& [kind, macs] : b.macs_by_kind) std::printf(" | %s %.3g", kind.c_str(), macs);
            std::printf("\n");
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
