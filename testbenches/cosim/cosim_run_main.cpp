// cosim_run: one co-simulation regression case (one SystemC simulation per process). Runs the
// SystemC model and the Verilated RTL of a block on the same stimulus and compares every
// cycle. Exit codes: 0 the faces agree (or, with --expect-mismatch, the harness reported the
// mismatch it was meant to find), 2 usage, 3 mismatch, 4 the run did not complete.
//
//   cosim_run --block rccm4_pipe --stimulus mixed --count 5000 --seed 7 --rate random:0.8
//             --ready bursts:0.5:16 [--vcd run.vcd] [--mutate value|cycle --expect-mismatch]
//   cosim_run --list | --help | --version
#include <iostream>
#include <string>

#include <systemc>

#include "testbenches/cli/cli.hpp"
#include "testbenches/cosim/cosim_cli.hpp"

int sc_main(int argc, char** argv) {
    using namespace qsim::cosim;
    qsim::cli::Command cmd("cosim_run", "--block NAME [OPTIONS] [--expect-mismatch] | --list",
                           "One co-simulation regression case: the SystemC model and the Verilated RTL of a block\n"
                           "on the same stimulus, compared cycle by cycle.");
    add_run_options(cmd.options);
    cmd.options.add_options()
        ("expect-mismatch", "pass only if the harness reports a mismatch (with --mutate)")
        ("list", "list the blocks and exit");
    cmd.notes = "exit status: 0 the faces agree (or the expected mismatch was found), 2 usage, 3 mismatch,\n"
                "4 the run did not complete\n";
    const qsim::cli::Parsed parsed = qsim::cli::parse(cmd, argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    if (parsed.values.count("list")) {
        for (const BlockInfo& b : cosim_blocks()) std::cout << b.name << "  " << b.description() << "\n";
        return 0;
    }
    RunOptions opt;
    try {
        opt = run_options(given_options(parsed.values));
    } catch (const std::exception& e) {
        return qsim::cli::usage_error(cmd, e.what());
    }
    const bool expect_mismatch = parsed.values.count("expect-mismatch") > 0;
    if (opt.cycles == 0 && opt.sides != "both")
        return qsim::cli::usage_error(cmd, "a regression compares both faces (use cosim_study for one)");
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
