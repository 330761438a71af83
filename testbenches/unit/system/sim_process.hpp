// Running the `sim` executable (or another tool) from a system test: an argument vector (no
// shell), stdout and stderr captured together, the exit code.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace qsim::testing_support {

struct SimRun {
    int status = -1;     // exit code; -1 when it could not run or was killed
    std::string output;  // stdout and stderr
};

// Runs `program` (a path) with `args`.
inline SimRun run_program(const std::string& program, const std::vector<std::string>& args) {
    SimRun r;
    int fds[2];
    if (pipe(fds) != 0) return r;
    std::vector<std::string> all = {program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = {"SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1"};
    std::vector<char*> env = {env_text[0].data()};
    for (char** e = environ; *e; ++e) env.push_back(*e);
    env.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid = -1;
    const int err = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (err == 0) {
        char buf[4096];
        ssize_t n;
        while ((n = read(fds[0], buf, sizeof buf)) > 0) r.output.append(buf, size_t(n));
        int st = 0;
        waitpid(pid, &st, 0);
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    close(fds[0]);
    return r;
}

inline SimRun run_sim(const std::vector<std::string>& args) { return run_program(QSIM_SIM_BINARY, args); }

// The last non-empty line of `text`.
inline std::string last_line(const std::string& text) {
    size_t end = text.find_last_not_of('\n');
    if (end == std::string::npos) return "";
    const size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace qsim::testing_support
