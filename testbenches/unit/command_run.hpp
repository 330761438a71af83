// Tests that run a command-line tool (the `sim` binary above all): its exit status and what
// it printed, stdout and stderr together.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace qsim::testing_support {

struct CommandRun {
    int status = -1;     // exit status (-1: killed by a signal, or could not run)
    std::string output;  // stdout and stderr
};

// Runs `command` through the shell, stderr joined to stdout.
inline CommandRun run_command(const std::string& command) {
    CommandRun r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

#ifdef QSIM_SIM_BINARY
// `sim ARGS`, without SystemC's banner.
inline CommandRun run_sim_binary(const std::string& args) {
    return run_command(std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + QSIM_SIM_BINARY + " " + args);
}
#endif

}  // namespace qsim::testing_support
