// sim: simulate a quantised network on the FINN-style dataflow accelerator it describes.
//
//   sim --config configs/alexnet_pruned40.yaml [--frames N] [--weights FILE]
//       [--set NAME=VALUE ...] [--report out.json] [--check]
//
// Exit codes: 0 ok, 1 bad input (config, weight file), 2 usage, 3 the pipeline stalled
// (deadlock), 4 the golden-reference check failed. Every error is one line on stderr
// (docs/errors.md lists them).
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <systemc>

#include "models/network/config_loader.hpp"
#include "models/network/weight_file.hpp"
#include "testbenches/sim/report.hpp"
#include "testbenches/sim/simulation.hpp"

namespace po = boost::program_options;

namespace {

int run(int argc, char** argv) {
    po::options_description desc("sim: cycle-approximate SystemC simulation of a quantised-network accelerator");
    std::string config, weights, report;
    std::vector<std::string> sets;
    int frames = 0;
    desc.add_options()
        ("help,h", "show this help")
        ("config,c", po::value<std::string>(&config), "network/accelerator YAML (required)")
        ("frames,n", po::value<int>(&frames), "frames to simulate (default: the config's run.frames)")
        ("weights,w", po::value<std::string>(&weights), "weight file to use instead of the config's weights")
        ("set", po::value<std::vector<std::string>>(&sets)->composing(), "override a config parameter: NAME=VALUE")
        ("report,r", po::value<std::string>(&report), "write the JSON report to this file")
        ("check", "compare every layer's output with the golden reference");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "sim: usage: " << e.what() << " (see sim --help)\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    if (config.empty()) {
        std::cerr << "sim: usage: --config is required: the network YAML to simulate (see sim --help)\n";
        return 2;
    }
    if (vm.count("frames") && frames < 1) {
        std::cerr << "sim: usage: --frames must be >= 1 (got " << frames << ")\n";
        return 2;
    }
    std::map<std::string, std::string> overrides;
    for (const auto& s : sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::cerr << "sim: usage: --set expects NAME=VALUE (got '" << s << "')\n";
            return 2;
        }
        overrides[s.substr(0, eq)] = s.substr(eq + 1);
    }

    qsim::NetworkConfig net = qsim::load_network_config(config, overrides);
    if (vm.count("frames")) {
        const std::string problem = qsim::simulated_time_problem(net, frames);
        if (!problem.empty()) {
            std::cerr << "sim: usage: --frames: " << problem << "\n";
            return 2;
        }
    }
    if (!weights.empty()) {
        net.weights.kind = qsim::WeightSource::Kind::File;
        net.weights.path = weights;
    }
    const qsim::NetworkParams params = qsim::load_params(net);

    qsim::SimOptions options;
    options.frames = frames;
    options.check = vm.count("check") > 0;
    const qsim::RunResult result = qsim::simulate(net, params, options);
    qsim::print_report(std::cout, result);

    if (!report.empty()) {
        std::ofstream out(report);
        if (!out) {
            std::cerr << "sim: cannot write report '" << report << "'\n";
            return 1;
        }
        // Invalid UTF-8 in names from the config is replaced, not a reason to lose the report.
        out << qsim::report_json(result, net).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    if (result.deadlock) return 3;
    if (result.check.done && !result.check.passed) return 4;
    return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const qsim::ConfigError& e) {
        std::cerr << e.what() << "\n";
    } catch (const qsim::WeightFileError& e) {
        std::cerr << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "sim: error: " << e.what() << "\n";
    }
    return 1;
}
