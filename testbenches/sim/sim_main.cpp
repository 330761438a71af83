// sim: simulate a quantised network on the FINN-style dataflow accelerator it describes.
//
//   sim --config configs/alexnet_pruned40.yaml [--frames N] [--weights FILE]
//       [--set NAME=VALUE ...] [--report out.json] [--check]
//       [--dataset IMAGES.gz [--labels LABELS.gz] [--reference PREDICTIONS.txt]]
//       [--inputs FRAMES.npy] [--expect OUTPUTS.npy]
//       [--point "conv2.pe=11;clock_mhz=150"]
//   sim sweep | sweep-merge | fold ...      design-space studies (docs/sweeps.md)
//
// Exit codes: 0 ok, 1 bad input (config, weight file, data set, .npy array), 2 usage, 3 the
// pipeline stalled (deadlock), 4 the golden-reference check failed, the predicted classes differ
// from the reference predictions, or the outputs differ from --expect's. Every error is one line
// on stderr (docs/errors.md lists them).
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <systemc>

#include "models/common/output_file.hpp"
#include "models/common/timing_only.hpp"
#include "models/dataset/idx_dataset.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/design/effective_config.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "models/network/weight_file.hpp"
#include "sim/report/report.hpp"
#include "sim/runner/memory_budget.hpp"
#include "sim/runner/npy_frames.hpp"
#include "sim/runner/simulation.hpp"
#include "sim/sweep/design_space.hpp"
#include "sim/sweep/sim_child.hpp"
#include "sim/report/graph_dot.hpp"
#include "sim/report/timeline.hpp"
#include "testbenches/cli/cli.hpp"
#include "testbenches/sim/sweep_commands.hpp"

namespace po = boost::program_options;

namespace {

int run(int argc, char** argv) {
    qsim::cli::Command cmd("sim",
                           "--config FILE [--frames N] [--check] [--report FILE] [--set NAME=VALUE ...] "
                           "[--point POINT] [--weights FILE] [--dataset IMAGES [--labels L] [--reference R]]\n"
                           "           [--inputs FRAMES.npy] [--expect OUTPUTS.npy]\n"
                           "           [--trace FILE.json [--trace-frames A..B]] [--vcd FILE.vcd] [--graph FILE.dot|.svg]\n"
                           "       sim COMMAND [OPTIONS]   (sim COMMAND --help)",
                           "Cycle-approximate SystemC simulation of a quantised-network accelerator.");
    cmd.notes = qsim::sweep::subcommand_notes() +
                "\nexit status: 0 ok, 1 bad input (the message names file, line and field), 2 usage error, 3 the "
                "pipeline stopped\nbefore all frames came out (deadlock or livelock), 4 the golden check failed, a "
                "prediction differs or\nthe outputs differ from --expect's\n";
    std::string config, weights, report, dataset, labels, reference, point, memory_budget;
    std::string trace, trace_frames, vcd, graph, input_interval, inputs, expect;
    std::vector<std::string> sets;
    int frames = 0;
    auto& desc = cmd.options;
    desc.add_options()
        ("config,c", po::value<std::string>(&config), "network/accelerator YAML (required)")
        ("frames,n", po::value<int>(&frames), "frames to simulate (default: the config's run.frames)")
        ("weights,w", po::value<std::string>(&weights), "weight file to use instead of the config's weights")
        ("set", po::value<std::vector<std::string>>(&sets)->composing(), "override a config parameter: NAME=VALUE")
        ("report,r", po::value<std::string>(&report), "write the JSON report to this file")
        ("memory-budget", po::value<std::string>(&memory_budget),
         "MiB a simulation may take (default: half the physical memory, or 80% of ulimit -v); a design needing more "
         "is refused before it starts")
        ("no-timing", "leave the wall-clock time, speed and peak memory out of the table and the report, so that "
                      "identical inputs give identical output")
        ("check", "compare every layer's output with the golden reference")
        ("timing-only", "move rows with every timing rule but compute no values (the windows, products and pooled "
                        "values are left out; sim fifo-size simulates this way): the same cycles, several times faster; "
                        "not with --check or --dataset")
        ("input-interval", po::value<std::string>(&input_interval),
         "pace the input: a frame enters at most every N cycles (a camera or host at a fixed frame rate; sim "
         "fifo-size simulates this way); default: as fast as the input stream and backpressure allow")
        ("dataset", po::value<std::string>(&dataset),
         "feed the images of an IDX file (gzipped or plain) instead of generated frames; --frames defaults to all")
        ("inputs", po::value<std::string>(&inputs),
         "feed the frames of a NumPy .npy array of integer codes instead of generated frames: shape (N, H, W, C) of "
         "the config's input, or (N, H, W) when C = 1; integer dtypes, or floats whose values are all integral, "
         "within input.bits / input.signed; --frames defaults to N; not with --dataset")
        ("expect", po::value<std::string>(&expect),
         "compare every frame's final output with a NumPy .npy array of integers: shape (N, H, W, C) of the last "
         "layer's output, or (N, C) when it is 1 x 1 x C; N at least the frames simulated; exit 4 when a value "
         "differs")
        ("labels", po::value<std::string>(&labels),
         "IDX labels for --dataset (default: the images file with -images-idx3 replaced by -labels-idx1)")
        ("point", po::value<std::string>(&point),
         "a design point of a sweep applied to the config: \"LAYER.FIELD=VALUE;clock_mhz=VALUE\" (docs/sweeps.md)")
        ("trace", po::value<std::string>(&trace),
         "write the timeline (Chrome trace-event JSON: Chromium's trace viewer, Perfetto; sim timeline draws it): "
         "each block's busy / starved / blocked spans, FIFO and buffer fills, frame markers, link transfers")
        ("trace-frames", po::value<std::string>(&trace_frames),
         "record --trace / --vcd only from the source starting frame A to the sink delivering frame B (A..B or A; "
         "default: the whole run)")
        ("vcd", po::value<std::string>(&vcd),
         "write the same block states (0 idle, 1 busy, 2 starved, 3 blocked) and fills through SystemC's VCD "
         "tracing, for GTKWave")
        ("graph", po::value<std::string>(&graph),
         "write the design as a Graphviz graph after the run: layers with their busy fraction, streams with their "
         "FIFO depth and peak fill (.dot; .svg or .png are rendered with Graphviz's dot; docs/graphs.md)")
        ("reference", po::value<std::string>(&reference),
         "predicted classes to match, one per image (default: <config>.predictions.txt beside the config, if any)");
    if (argc > 1 && argv[1][0] != '-')
        return qsim::cli::usage_error(cmd, std::string("unknown command '") + argv[1] +
                                               "'; sim's commands: " + qsim::sweep::subcommand_names() +
                                               " (a simulation takes --config FILE)");
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const po::variables_map& vm = parsed.values;
    if (!report.empty()) {
        // Found before the simulation, not after it: a report that would replace an input, or
        // one that cannot be written.
        for (const auto& [input, what] : std::vector<std::pair<std::string, const char*>>{
                 {config, "--config"}, {weights, "--weights"}, {dataset, "--dataset"}, {labels, "--labels"},
                 {reference, "--reference"}, {inputs, "--inputs"}, {expect, "--expect"}})
            if (qsim::same_file(report, input))
                return qsim::cli::usage_error(cmd, "--report " + report + " is the file given as " + what +
                                                       " (the report would replace it)");
        qsim::check_writable(report);
    }
    if (config.empty()) {
        return qsim::cli::usage_error(cmd, "--config is required: the network YAML to simulate");
    }
    qsim::SimOptions options;
    if (!trace_frames.empty()) {
        if (trace.empty() && vcd.empty()) return qsim::cli::usage_error(cmd, "--trace-frames needs --trace or --vcd");
        try {
            qsim::parse_frame_window(trace_frames, options.trace_first, options.trace_last);
        } catch (const std::invalid_argument& e) {
            return qsim::cli::usage_error(cmd, e.what());
        }
    }
    for (const auto& [out, what] : std::vector<std::pair<std::string, const char*>>{{trace, "--trace"}, {vcd, "--vcd"}}) {
        if (out.empty()) continue;
        for (const std::string& input : {config, weights, dataset, labels, reference, report, inputs, expect})
            if (qsim::same_file(out, input) || out == input)
                return qsim::cli::usage_error(cmd, std::string(what) + " " + out + " is also given as an input or the report");
        qsim::check_writable(out);
    }
    if (!trace.empty() && trace == vcd) return qsim::cli::usage_error(cmd, "--trace and --vcd name the same file");
    std::string dot_tool;  // Graphviz, for a rendered --graph
    if (!graph.empty()) {
        for (const std::string& other : {config, weights, dataset, labels, reference, report, trace, vcd, inputs, expect})
            if (qsim::same_file(graph, other) || graph == other)
                return qsim::cli::usage_error(cmd, "--graph " + graph + " is also given as another file");
        const std::string ext = graph.size() > 4 ? graph.substr(graph.size() - 4) : "";
        if (ext != ".dot" && ext != ".svg" && ext != ".png")
            return qsim::cli::usage_error(cmd, "--graph " + graph + ": expected a .dot, .svg or .png file");
        if (ext != ".dot" && (dot_tool = qsim::sweep::find_on_path("dot")).empty())
            return qsim::cli::usage_error(cmd, "--graph " + graph +
                                                   ": rendering needs Graphviz's dot (apt-get install graphviz), which "
                                                   "is not on PATH; write .dot");
        qsim::check_writable(graph);
    }
    options.trace_json = trace;
    options.trace_vcd = vcd;
    if (vm.count("frames") && frames < 1) {
        return qsim::cli::usage_error(cmd, "--frames must be >= 1 (got " + std::to_string(frames) + ")");
    }
    std::map<std::string, std::string> overrides;
    for (const auto& s : sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            return qsim::cli::usage_error(cmd, std::string("--set expects NAME=VALUE (got '") + s + "')");
        }
        overrides[s.substr(0, eq)] = s.substr(eq + 1);
    }

    // The design: the configuration's specification, with the design point's overrides and a
    // weight file given here, through the one derivation (sim/design/derive.hpp).
    qsim::design::NetworkSpec spec = qsim::design::read_yaml_spec(config, overrides);
    if (!weights.empty()) {
        const qsim::design::Origin at{spec.add_source("--weights " + weights, false), 0, 0};
        spec.weights.given = true;
        spec.weights.generator.given = false;
        spec.weights.file.set(weights, at);
    }
    std::vector<qsim::sweep::Axis> axes;
    qsim::sweep::Assignments assigned;
    try {
        if (!point.empty()) axes = qsim::sweep::parse_point(point);
        for (const auto& axis : axes) {
            if (axis.is_param)
                throw std::invalid_argument(axis.name + ": give config parameters with --set");
            assigned.push_back({&axis, axis.values.front()});
        }
        qsim::sweep::check_axes(spec, axes);
    } catch (const std::invalid_argument& e) {
        return qsim::cli::usage_error(cmd, std::string("--point ") + e.what());
    }
    const qsim::design::Derived derived = qsim::sweep::derive_point(spec, assigned, "--point");
    if (!derived.ok()) throw spec.error(derived.violations.front());
    qsim::NetworkConfig net = derived.design;
    if (options.trace_first != 0 || options.trace_last != qsim::TraceRecorder::kAllFrames) {
        const int run_frames = vm.count("frames") ? frames : net.run.frames;
        if (options.trace_first >= run_frames && dataset.empty() && inputs.empty())
            return qsim::cli::usage_error(cmd, "--trace-frames " + trace_frames + ": the run has frames 0.." +
                                                   std::to_string(run_frames - 1));
    }
    if (vm.count("frames")) {
        const std::string problem = qsim::simulated_time_problem(net, frames);
        if (!problem.empty()) {
            return qsim::cli::usage_error(cmd, std::string("--frames: ") + problem);
        }
    }
    // Refused before anything large is allocated: a design (or data set) that would not fit.
    uint64_t budget = qsim::default_memory_budget();
    try {
        if (vm.count("memory-budget")) budget = qsim::cli::parse_count("--memory-budget", memory_budget, 1, uint64_t(1) << 40) << 20;
    } catch (const qsim::cli::UsageError& e) {
        return qsim::cli::usage_error(cmd, e.what());
    }
    const bool check = vm.count("check") > 0;
    if (vm.count("timing-only") && (check || !dataset.empty() || !inputs.empty() || !expect.empty()))
        return qsim::cli::usage_error(cmd,
                                      "--timing-only computes no values: not with --check, --dataset, --inputs or --expect");
    // Every file of frames is planned from its header first (shapes, counts: usage errors before
    // anything is simulated), the memory of the run checked, and only then the values read.
    std::vector<int> label_values, reference_values;
    qsim::DatasetPlan plan;
    qsim::NpyFramesPlan input_plan, expect_plan;
    if (!dataset.empty() && !inputs.empty())
        return qsim::cli::usage_error(cmd, "--inputs and --dataset both give the input frames: use one");
    if (!dataset.empty()) {
        // Headers and counts first; images are decoded only for the frames simulated.
        try {
            plan = qsim::plan_dataset(dataset, labels, reference, config, vm.count("frames") ? frames : 0, net.input);
        } catch (const std::invalid_argument& e) {
            return qsim::cli::usage_error(cmd, e.what());
        }
        frames = plan.frames;
        const std::string problem = qsim::simulated_time_problem(net, frames);
        if (!problem.empty()) return qsim::cli::usage_error(cmd, std::string("--dataset: ") + problem);
    } else if (!labels.empty() || !reference.empty()) {
        return qsim::cli::usage_error(cmd, "--labels and --reference need --dataset");
    }
    if (!inputs.empty()) {
        try {
            input_plan = qsim::plan_npy_inputs(inputs, vm.count("frames") ? frames : 0, net.input);
        } catch (const std::invalid_argument& e) {
            return qsim::cli::usage_error(cmd, std::string("--inputs: ") + e.what());
        }
        frames = input_plan.frames;
        const std::string problem = qsim::simulated_time_problem(net, frames);
        if (!problem.empty()) return qsim::cli::usage_error(cmd, std::string("--inputs: ") + problem);
    }
    const qsim::LayerConfig& last = net.layers.back();
    if (!expect.empty()) {
        try {
            expect_plan = qsim::plan_expected_outputs(expect, frames > 0 ? frames : net.run.frames, last.out, last.name);
        } catch (const std::invalid_argument& e) {
            return qsim::cli::usage_error(cmd, e.what());
        }
    }
    {
        // Refused before anything large is allocated: a design, data set or array that would not fit.
        const int run_frames = frames > 0 ? frames : net.run.frames;
        qsim::MemoryNeed need =
            qsim::estimate_simulation_memory(net, run_frames, check, !dataset.empty() || !inputs.empty(),
                                             !dataset.empty() || !expect.empty());
        if (!inputs.empty())
            qsim::add_memory_need(need, input_plan.values * sizeof(double),
                                  "reading the " + std::to_string(input_plan.values) + " values of " + inputs);
        if (!expect.empty())
            qsim::add_memory_need(need,
                                  expect_plan.values * sizeof(double) +
                                      uint64_t(run_frames) * uint64_t(last.out.elements()) * sizeof(int64_t),
                                  "reading the " + std::to_string(expect_plan.values) + " values of " + expect);
        qsim::check_memory_budget(net, need, budget);
    }
    if (!dataset.empty()) {
        qsim::DatasetInput input = qsim::load_dataset(plan, net.input);
        net.input.frames = std::make_shared<const std::vector<qsim::FeatureMap>>(std::move(input.frames));
        label_values = std::move(input.labels);
        reference_values = std::move(input.reference);
    }
    if (!inputs.empty())
        net.input.frames =
            std::make_shared<const std::vector<qsim::FeatureMap>>(qsim::load_npy_inputs(input_plan, net.input));
    qsim::ExpectedOutputs expected;
    if (!expect.empty()) expected = qsim::load_expected_outputs(expect_plan, last.out);
    const qsim::NetworkParams params = qsim::load_params(net);

    if (!input_interval.empty()) {
        try {
            options.source_interval = qsim::cli::parse_count("--input-interval", input_interval, 1, uint64_t(1) << 48);
        } catch (const qsim::cli::UsageError& e) {
            return qsim::cli::usage_error(cmd, e.what());
        }
        if (net.host.enabled)
            return qsim::cli::usage_error(cmd, "--input-interval paces the standalone accelerator's source; this "
                                               "design has a host link, whose DMA paces the input");
    }
    if (vm.count("timing-only")) qsim::set_timing_only(true);
    options.frames = frames;
    options.check = check;
    // The final outputs are kept only for what reads them after the run; otherwise memory does
    // not grow with the frames (the report's CRC is taken as they come).
    options.keep_outputs = !dataset.empty() || !expect.empty();
    qsim::RunResult result = qsim::simulate(net, params, options);
    if (!dataset.empty() && !result.deadlock) {
        const bool label_select = net.layers.back().type == qsim::LayerType::TopK;
        // With an `output` section the class is the arg max of the dequantised values (derive refuses
        // the section after a topk layer).
        result.dataset = qsim::evaluate_dataset(result.outputs, label_values, reference_values, label_select,
                                                net.output.enabled ? &net.output : nullptr);
        result.dataset.images_file = plan.images_file;
        result.dataset.labels_file = plan.labels_file;
        result.dataset.reference_file = plan.reference_file;
    }
    if (!expect.empty() && !result.deadlock) result.expect = qsim::compare_outputs(result.outputs, expected);
    const bool timing = !vm.count("no-timing");
    if (!trace.empty() && result.trace.recorder)
        qsim::write_trace_json(*result.trace.recorder,
                               qsim::TraceInfo{result.network, result.config_file, result.clock_mhz,
                                               result.frames_completed, result.trace.window},
                               trace);
    qsim::print_report(std::cout, result, timing);
    if (!graph.empty()) {
        const std::string dot = qsim::graph_dot(net, result);
        if (dot_tool.empty()) {
            qsim::write_file_atomically(graph, dot);
        } else {
            const std::string tmp = graph + ".dot.part" + std::to_string(::getpid());
            qsim::write_file_atomically(tmp, dot);
            const std::string format = graph.substr(graph.size() - 3);
            const int rc = qsim::sweep::run_process(dot_tool, {"-T" + format, "-o", graph, tmp}, "/dev/null");
            std::remove(tmp.c_str());
            if (rc != 0) throw qsim::InputError(graph, "", "--graph", "dot failed (exit " + std::to_string(rc) + ")");
        }
        std::cout << "graph          " << graph << "\n";
    }
    if (result.trace.recorded) {
        std::cout << "timeline       " << result.trace.window << ", " << result.trace.records << " records";
        if (!trace.empty()) std::cout << " -> " << trace;
        if (!vcd.empty()) std::cout << (trace.empty() ? " -> " : ", ") << vcd;
        std::cout << "\n";
        if (result.trace.truncated)
            std::cout << "               the record limit (" << options.trace_max_records
                      << ") stopped it before the window closed: choose fewer frames with --trace-frames\n";
    }

    if (!report.empty()) {
        // Invalid UTF-8 in names from the config is replaced, not a reason to lose the report.
        qsim::write_file_atomically(
            report, qsim::report_json(result, qsim::design::effective_config_json(spec, net), timing)
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                        "\n");
    }
    if (result.deadlock) return 3;
    if (result.check.done && !result.check.passed) return 4;
    if (result.dataset.reference_matches < result.dataset.reference_compared) return 4;
    if (result.expect.done && !result.expect.passed) return 4;
    return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
    // A SystemC error is thrown to run_kernel() and reported there as one line, not printed
    // by SystemC as well.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_THROW);
    try {
        if (argc > 1 && qsim::sweep::is_subcommand(argv[1])) return qsim::sweep::run_subcommand(argc - 1, argv + 1);
        return run(argc, argv);
    } catch (const qsim::InputError& e) {
        std::cerr << qsim::one_line(e.what()) << "\n";
    } catch (const std::exception& e) {
        std::cerr << "sim: error: " << qsim::one_line(e.what()) << "\n";
    }
    return 1;
}
