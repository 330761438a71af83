// cosim_run: one co-simulation regression case (one SystemC simulation per process). Runs the
// SystemC model and the Verilated RTL of a block on the same stimulus and compares every
// cycle. Exit codes: 0 the faces agree (or, with --expect-mismatch, the harness reported the
// mismatch it was meant to find), 2 usage, 3 mismatch, 4 the run did not complete.
//
//   cosim_run --block rccm4_pipe --stimulus mixed --count 5000 --seed 7 --rate random:0.8
//             --ready bursts:0.5:16 [--vcd run.vcd] [--mutate value|cycle --expect-mismatch]
#include <iostream>
#include <string>
#include <vector>

#include <systemc>

#include "testbenches/cosim/cosim_cli.hpp"

int sc_main(int argc, char** argv) {
    using namespace qsim::cosim;
    RunOptions opt;
    bool expect_mismatch = false;
    try {
        const auto args = parse_args(std::vector<std::string>(argv + 1, argv + argc), run_option_names(),
                                     {"expect-mismatch", "list"});
        if (args.count("list")) {
            for (const BlockInfo& b : cosim_blocks()) std::cout << b.name << "  " << b.description() << "\n";
            return 0;
        }
        opt = run_options(args);
        expect_mismatch = args.count("expect-mismatch") > 0;
    } catch (const std::exception& e) {
        std::cerr << "cosim_run: " << e.what() << "\n";
        return 2;
    }
    if (opt.cycles == 0 && opt.sides != "both") {
        std::cerr << "cosim_run: a regression compares both faces (use cosim_study for one)\n";
        return 2;
    }
    RunReport r;
    try {
        r = run_block(opt);
    } catch (const std::exception& e) {
        std::cerr << "cosim_run: " << e.what() << "\n";
        return 2;
    }
    std::cout << format_report(r);
    const bool mismatch = r.bench.mismatch_cycles > 0;
    if (expect_mismatch) {
        if (mismatch && !r.bench.first_mismatch.empty()) {
            std::cout << "expected mismatch found: the harness catches the mutated model\n";
            return 0;
        }
        std::cout << "FAIL: the mutated model was not caught\n";
        return 3;
    }
    if (mismatch) return 3;
    if (opt.cycles == 0 && !r.bench.complete) {
        std::cout << "FAIL: not every output was delivered within " << r.bench.cycles << " cycles\n";
        return 4;
    }
    std::cout << "PASS: 0 mismatches\n";
    return 0;
}
