// Fuzzing regressions: feeds every input saved in testbenches/fuzz/regressions/<target>/ (inputs
// that once crashed, hung or threw something unexpected) and every seed of
// testbenches/fuzz/corpus/<target>/ to the entry points the libFuzzer targets use
// (testbenches/fuzz/*_entry.hpp), and expects only the project's error types.
//
// Each input runs in a child process with a time limit, so that a crash or a hang fails the
// one input instead of the whole test binary. Files named open-* are findings reported but not
// fixed yet: FuzzRegression.OpenFindings skips (with the list) while one still fails, and
// passes once all are fixed (then rename them, dropping the open- prefix).
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "testbenches/fuzz/fuzz_entry.hpp"
#include "testbenches/fuzz/idx_entry.hpp"
#include "testbenches/fuzz/sweep_spec_entry.hpp"

namespace qsim {
namespace fuzz_regression_test {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(QSIM_SOURCE_DIR) / "testbenches" / "fuzz";
// A hang shows as no result within this time. Under ASan (-O1, shadow memory, checked
// allocations) the largest saved input, a 250,000-value axis read, written and read back
// through yaml-cpp, takes over 5 s on a loaded 2-core machine where a plain build takes 0.3 s.
#if defined(__SANITIZE_ADDRESS__)
constexpr unsigned kSecondsPerInput = 60;
#else
constexpr unsigned kSecondsPerInput = 5;
#endif

using Entry = void (*)(const uint8_t*, size_t);

Entry entry_for(const std::string& target) {
    if (target == "config") return fuzz::run_config;
    if (target == "weights") return fuzz::run_weights;
    if (target == "sweep_spec") return fuzz::run_sweep_spec;
    if (target == "idx") return fuzz::run_idx;
    return fuzz::run_npy;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> v;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file()) v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
}

bool is_open_finding(const fs::path& p) { return p.filename().string().rfind("open-", 0) == 0; }

// Runs `entry` on the bytes of `file` in a child process. Returns "" when it returned
// normally, otherwise what went wrong (uncaught exception, signal, time limit).
std::string run_isolated(Entry entry, const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return "cannot read " + file.string();

    int pipe_fd[2];
    if (::pipe(pipe_fd) != 0) return "pipe failed";
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        ::close(pipe_fd[0]);
        std::signal(SIGALRM, SIG_DFL);
        ::alarm(kSecondsPerInput);
#if !defined(__SANITIZE_ADDRESS__)
        // Bound what a runaway allocation can take (ASan reserves its shadow memory as
        // address space, so no limit there; the time limit still applies).
        const rlimit as{rlim_t(4) << 30, rlim_t(4) << 30};
        ::setrlimit(RLIMIT_AS, &as);
#endif
        // The config loader looks device names up in devices.yaml in the working directory.
        if (::chdir((fs::path(QSIM_SOURCE_DIR) / "configs").c_str()) != 0) ::_exit(3);
        std::string msg;
        try {
            entry(bytes.data(), bytes.size());
            ::_exit(0);
        } catch (const std::exception& e) {
            msg = std::string("uncaught exception: ") + e.what();
        } catch (...) {
            msg = "uncaught exception of a non-std type";
        }
        (void)!::write(pipe_fd[1], msg.data(), msg.size());
        ::_exit(1);
    }
    ::close(pipe_fd[1]);
    std::string msg;
    char buf[512];
    for (ssize_t n; (n = ::read(pipe_fd[0], buf, sizeof buf)) > 0;) msg.append(buf, size_t(n));
    ::close(pipe_fd[0]);
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return "waitpid failed";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    if (WIFSIGNALED(status)) {
        if (WTERMSIG(status) == SIGALRM)
            return "no result within " + std::to_string(kSecondsPerInput) + " s (hang)";
        return std::string("killed by signal ") + strsignal(WTERMSIG(status)) +
               " (crash or sanitizer report, see the output above)";
    }
    return msg.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : msg;
}

void check_target(const std::string& target) {
    const Entry entry = entry_for(target);
    size_t count = 0;
    for (const char* kind : {"regressions", "corpus"}) {
        for (const auto& f : files_in(kFuzzDir / kind / target)) {
            if (is_open_finding(f)) continue;
            ++count;
            const std::string problem = run_isolated(entry, f);
            EXPECT_EQ(problem, "") << f.string();
        }
    }
    EXPECT_GT(count, 0u) << "no inputs under " << (kFuzzDir / "corpus" / target).string();
}

TEST(FuzzRegression, Config) { check_target("config"); }
TEST(FuzzRegression, Weights) { check_target("weights"); }
TEST(FuzzRegression, Npy) { check_target("npy"); }
TEST(FuzzRegression, SweepSpec) { check_target("sweep_spec"); }
TEST(FuzzRegression, Idx) { check_target("idx"); }

TEST(FuzzRegression, OpenFindings) {
    std::string still_open;
    for (const char* target : {"config", "weights", "npy", "sweep_spec", "idx"})
        for (const auto& f : files_in(kFuzzDir / "regressions" / target))
            if (is_open_finding(f)) {
                const std::string problem = run_isolated(entry_for(target), f);
                if (!problem.empty()) still_open += "\n  " + f.string() + ": " + problem;
            }
    if (!still_open.empty()) GTEST_SKIP() << "reported findings not fixed yet:" << still_open;
}

}  // namespace fuzz_regression_test
}  // namespace qsim
