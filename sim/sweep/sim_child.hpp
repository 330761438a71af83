// Child processes: a `sim` child as the simulation tier of a sweep and `sim fold`'s verification
// start it (SystemC elaborates one design per process): started from an argument vector (never a
// shell string), stdout discarded, stderr kept in a log, its JSON report read when it ends.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qsim::sweep {

// Starts `binary` with `args` (argv[0] is `binary`), stdout to /dev/null, stderr to the file
// `log`; never through a shell. Throws std::runtime_error when it cannot.
pid_t spawn_process(const std::string& binary, std::vector<std::string> args, const std::string& log);
// Waits for `pid`: its exit code (128 + signal when killed).
int wait_exit_code(pid_t pid);
// spawn_process() and wait_exit_code().
int run_process(const std::string& binary, const std::vector<std::string>& args, const std::string& log);
// This process's executable (to start `sim` children), "sim" when /proc cannot tell.
std::string self_executable();
// The first executable `tool` on PATH (rsvg-convert, dot), or "".
std::string find_on_path(const std::string& tool);

struct SimChild {
    pid_t pid = -1;
    std::string report;  // where it writes its --report
    std::string log;     // its stderr
};

// Starts `binary` with `args` plus `--report REPORT`. Throws std::runtime_error when it cannot.
SimChild start_sim(const std::string& binary, std::vector<std::string> args, const std::string& report,
                   const std::string& log);

struct SimOutcome {
    int exit_code = 0;        // sim's exit code (128 + signal when killed)
    nlohmann::json report;    // exit 0: its report
    std::string last_line;    // otherwise: the last line it wrote (SystemC's banner left out)
    std::string stall;        // exit 3: "deadlock at cycle N" and the reconvergence diagnosis, if any
};

// The outcome of a child that ended with waitpid() `status`; removes its report and log.
SimOutcome finish_sim(const SimChild& child, int status);

// Starts and waits: files `NAME.json` / `NAME.log` in `tmp_dir`.
SimOutcome run_sim(const std::string& binary, const std::vector<std::string>& args, const std::string& tmp_dir,
                   const std::string& name);

}  // namespace qsim::sweep
