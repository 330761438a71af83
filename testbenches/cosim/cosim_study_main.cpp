// cosim_study: throughput, utilisation and stalls of a block (or every block) in
// co-simulation for N cycles under an input rate and an output backpressure pattern, and the
// wall-time speed of the SystemC model against the Verilated RTL on the same work.
//
//   cosim_study [--block NAME|all] [--cycles N] [--rate SPEC] [--ready SPEC] [--seed S]
//               [--per-cycle FILE] [--json FILE]
//   cosim_study --help | --version
//
// Each block runs four simulations, each in its own process (SystemC elaborates once per
// process): the pin-level model alone, the RTL alone (their wall times give the speeds), both
// together, compared cycle by cycle, and the row-level (TLM) model doing the results the RTL
// delivered (tlm_faces.hpp: its wall time against the RTL's on the same work). The process
// re-executes itself with --child.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/output_file.hpp"
#include "testbenches/cli/cli.hpp"
#include "testbenches/cosim/cosim_cli.hpp"
#include "testbenches/cosim/tlm_faces.hpp"

namespace {

using namespace qsim::cosim;

// One child simulation: prints a single "RESULT key=value ..." line.
int run_child(const RunOptions& o) {
    const RunReport r = run_block(o);
    const BenchResult& b = r.bench;
    const SideStats& s = b.sides.at(0);
    std::cout << "RESULT cycles=" << b.cycles << " wall=" << std::setprecision(9) << b.wall_seconds
              << " accepted=" << s.accepted << " delivered=" << s.delivered << " stall=" << s.stall_cycles
              << " starved=" << s.starved_cycles << " blocked=" << s.blocked_cycles
              << " compared=" << b.compared_outputs << " mismatches=" << b.mismatch_cycles
              << " latency=" << r.latency << "\n";
    if (!b.first_mismatch.empty()) std::cout << b.first_mismatch;
    return 0;
}

std::map<std::string, std::string> spawn(const std::vector<std::string>& args, std::string& text) {
    int fd[2];
    if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        std::vector<char*> argv;
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv("/proc/self/exe", argv.data());
        _exit(127);
    }
    close(fd[1]);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd[0], buf, sizeof buf)) > 0) text.append(buf, size_t(n));
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("child run failed:\n" + text);
    std::map<std::string, std::string> kv;
    std::istringstream in(text.substr(text.find("RESULT ") + 7));
    std::string line;
    std::getline(in, line);
    std::istringstream words(line);
    std::string w;
    while (words >> w) {
        const size_t eq = w.find('=');
        if (eq != std::string::npos) kv[w.substr(0, eq)] = w.substr(eq + 1);
    }
    return kv;
}

struct Row {
    std::string block, description;
    uint64_t cycles = 0, accepted = 0, delivered = 0, stall = 0, starved = 0, blocked = 0, compared = 0,
             mismatches = 0;
    int latency = 0;
    double model_wall = 0, rtl_wall = 0, both_wall = 0;
    double tlm_wall = 0;         // the row-level model on the RTL's delivered results
    uint64_t tlm_results = 0, tlm_transactions = 0;
    // RTL wall seconds per result over the TLM model's: how much faster the row level is.
    double tlm_speedup() const {
        return tlm_wall > 0 && tlm_results > 0 && delivered > 0
                   ? (rtl_wall / double(delivered)) / (tlm_wall / double(tlm_results))
                   : 0;
    }
    std::string first_mismatch;
};

}  // namespace

int sc_main(int argc, char** argv) {
    namespace po = boost::program_options;
    qsim::cli::Command cmd("cosim_study",
                           "[--block NAME|all] [--cycles N] [--rate SPEC] [--ready SPEC] [--seed S]\n"
                           "                   [--per-cycle FILE] [--json FILE]",
                           "Throughput, utilisation and stalls of a block (or every block) in co-simulation, and\n"
                           "the wall-time speed of the SystemC model against the Verilated RTL on the same work.");
    // What the study passes on to its runs; the other run options are accepted as they always
    // were, but the study runs every face unmutated, so --help does not offer them.
    add_run_options(cmd.options, {"block", "cycles", "rate", "ready", "seed", "stimulus", "count", "per-cycle", "vcd"});
    add_run_options(cmd.hidden, {"sides", "mutate", "mutate-select", "mutate-cycle"});
    cmd.options.add_options()("json", po::value<std::string>()->value_name("FILE"), "also write the table as JSON");
    // The study runs itself once per face and block (one SystemC simulation per process).
    cmd.hidden.add_options()("child", po::value<std::string>(), "run one face (model, rtl, both, tlm) and print RESULT");
    cmd.hidden.add_options()("tlm-results", po::value<std::string>(), "tlm face: the results to compute");
    cmd.notes = "--block defaults to all, --cycles to 200000. exit status: 0 ok, 2 usage or a failed run,\n"
                "3 a mismatch between model and RTL\n";
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    std::map<std::string, std::string> args = given_options(parsed.values);
    try {
        if (args.count("child") && args["child"] == "tlm") {
            const uint64_t seed = args.count("seed") ? std::stoull(args["seed"]) : 1;
            const TlmRun t = run_tlm(find_block(args.at("block")), std::stoull(args.at("tlm-results")), seed);
            std::cout << "RESULT wall=" << std::setprecision(9) << t.wall_seconds << " results=" << t.results
                      << " transactions=" << t.transactions << " cycles=" << t.cycles << "\n";
            return 0;
        }
        if (args.count("child")) {
            RunOptions o = run_options(args);
            o.sides = args.at("child");
            return run_child(o);
        }
    } catch (const std::exception& e) {
        std::cerr << "cosim_study: " << e.what() << "\n";
        return 2;
    }
    if (!args.count("cycles")) args["cycles"] = "200000";
    std::vector<std::string> blocks;
    if (!args.count("block") || args["block"] == "all") {
        for (const BlockInfo& b : cosim_blocks()) blocks.push_back(b.name);
    } else {
        blocks.push_back(args["block"]);
    }
    std::vector<Row> rows;
    try {
        for (const std::string& name : blocks) {
            Row row;
            row.block = name;
            row.description = find_block(name).description();
            for (const char* side : {"model", "rtl", "both"}) {
                std::vector<std::string> a = {"cosim_study", "--child", side, "--block", name};
                for (const char* k : {"cycles", "rate", "ready", "seed", "stimulus", "count"})
                    if (args.count(k)) a.insert(a.end(), {std::string("--") + k, args[k]});
                if (std::string(side) == "both" && args.count("per-cycle")) a.insert(a.end(), {"--per-cycle", args["per-cycle"]});
                if (std::string(side) == "both" && args.count("vcd")) a.insert(a.end(), {"--vcd", args["vcd"]});
                std::string text;
                auto kv = spawn(a, text);
                const double wall = std::stod(kv.at("wall"));
                if (std::string(side) == "model") row.model_wall = wall;
                if (std::string(side) == "rtl") row.rtl_wall = wall;
                if (std::string(side) == "both") {
                    row.both_wall = wall;
                    row.cycles = std::stoull(kv.at("cycles"));
                    row.accepted = std::stoull(kv.at("accepted"));
                    row.delivered = std::stoull(kv.at("delivered"));
                    row.stall = std::stoull(kv.at("stall"));
                    row.starved = std::stoull(kv.at("starved"));
                    row.blocked = std::stoull(kv.at("blocked"));
                    row.compared = std::stoull(kv.at("compared"));
                    row.mismatches = std::stoull(kv.at("mismatches"));
                    row.latency = std::stoi(kv.at("latency"));
                    const size_t m = text.find("MISMATCH");
                    if (m != std::string::npos) row.first_mismatch = text.substr(m);
                }
            }
            std::string text;
            const auto kv = spawn({"cosim_study", "--child", "tlm", "--block", name, "--tlm-results",
                                   std::to_string(std::max<uint64_t>(row.delivered, 1)), "--seed",
                                   args.count("seed") ? args["seed"] : "1"},
                                  text);
            row.tlm_wall = std::stod(kv.at("wall"));
            row.tlm_results = std::stoull(kv.at("results"));
            row.tlm_transactions = std::stoull(kv.at("transactions"));
            rows.push_back(row);
        }
    } catch (const std::exception& e) {
        std::cerr << "cosim_study: " << e.what() << "\n";
        return 2;
    }

    std::cout << "co-simulation study: " << args["cycles"] << " cycles per block, input rate "
              << (args.count("rate") ? args["rate"] : "always") << ", out_ready "
              << (args.count("ready") ? args["ready"] : "always") << "\n";
    std::cout << "  results/cycle: outputs delivered per cycle; utilisation: cycles the datapath took an input;\n"
                 "  stall: an input waited (backpressure); model and RTL speeds each run alone on the same work;\n"
                 "  TLM:RTL: RTL wall seconds per result over the row-level MVTU model's on the results the RTL delivered\n\n";
    std::cout << std::left << std::setw(16) << "block" << std::right << std::setw(9) << "cycles" << std::setw(10)
              << "results" << std::setw(10) << "res/cyc" << std::setw(8) << "util%" << std::setw(9) << "stall"
              << std::setw(9) << "starved" << std::setw(9) << "blocked" << std::setw(5) << "lat" << std::setw(12)
              << "model c/s" << std::setw(12) << "RTL c/s" << std::setw(13) << "model:RTL" << std::setw(11)
              << "TLM:RTL" << std::setw(11) << "mismatch" << "\n";
    bool any_mismatch = false;
    for (const Row& r : rows) {
        const double mc = r.model_wall > 0 ? double(r.cycles) / r.model_wall : 0;
        const double rc = r.rtl_wall > 0 ? double(r.cycles) / r.rtl_wall : 0;
        std::cout << std::left << std::setw(16) << r.block << std::right << std::setw(9) << r.cycles << std::setw(10)
                  << r.delivered << std::setw(10) << std::fixed << std::setprecision(3)
                  << double(r.delivered) / double(r.cycles) << std::setw(8) << std::setprecision(1)
                  << 100.0 * double(r.accepted) / double(r.cycles) << std::setw(9) << r.stall << std::setw(9)
                  << r.starved << std::setw(9) << r.blocked << std::setw(5) << r.latency << std::setw(12)
                  << std::setprecision(0) << mc << std::setw(12) << rc << std::setw(12) << std::setprecision(2)
                  << (rc > 0 ? mc / rc : 0) << "x" << std::setw(10) << std::setprecision(1) << r.tlm_speedup() << "x"
                  << std::setw(11) << r.mismatches << "\n";
        any_mismatch = any_mismatch || r.mismatches > 0;
    }
    for (const Row& r : rows)
        if (!r.first_mismatch.empty()) std::cout << "\n" << r.block << ": " << r.first_mismatch;
    if (args.count("json")) {
        std::ostringstream j;
        j << "{\"cycles\": " << args["cycles"] << ", \"rate\": \"" << (args.count("rate") ? args["rate"] : "always")
          << "\", \"ready\": \"" << (args.count("ready") ? args["ready"] : "always") << "\", \"blocks\": [\n";
        for (size_t i = 0; i < rows.size(); ++i) {
            const Row& r = rows[i];
            j << "  {\"block\": \"" << r.block << "\", \"description\": \"" << r.description
              << "\", \"cycles\": " << r.cycles << ", \"results\": " << r.delivered << ", \"accepted\": "
              << r.accepted << ", \"stall\": " << r.stall << ", \"starved\": " << r.starved << ", \"blocked\": "
              << r.blocked << ", \"latency\": " << r.latency << ", \"compared\": " << r.compared
              << ", \"mismatches\": " << r.mismatches << ", \"model_wall\": " << std::setprecision(6) << r.model_wall
              << ", \"rtl_wall\": " << r.rtl_wall << ", \"both_wall\": " << r.both_wall
              << ", \"tlm_wall\": " << r.tlm_wall << ", \"tlm_results\": " << r.tlm_results
              << ", \"tlm_transactions\": " << r.tlm_transactions << ", \"tlm_speedup\": " << r.tlm_speedup() << "}"
              << (i + 1 < rows.size() ? "," : "") << "\n";
        }
        j << "]}\n";
        try {
            qsim::write_file_atomically(args["json"], j.str());
        } catch (const std::exception& e) {
            std::cerr << "cosim_study: " << e.what() << "\n";
            return 1;
        }
    }
    return any_mismatch ? 3 : 0;
}
