#include "sim/sweep/sim_child.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace qsim::sweep {

pid_t spawn_process(const std::string& binary, std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int err = posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) throw std::runtime_error("cannot start " + binary + ": " + std::strerror(err));
    return pid;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw std::runtime_error(std::string("waiting for a child process: ") + std::strerror(errno));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_process(const std::string& binary, const std::vector<std::string>& args, const std::string& log) {
    return wait_exit_code(spawn_process(binary, args, log));
}

std::string self_executable() {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("sim") : p.string();
}

std::string find_on_path(const std::string& tool) {
    const char* path = std::getenv("PATH");
    const std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        const size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::string candidate = dirs.substr(start, end - start) + "/" + tool;
        if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return "";
}

SimChild start_sim(const std::string& binary, std::vector<std::string> args, const std::string& report,
                   const std::string& log) {
    SimChild c;
    c.report = report;
    c.log = log;
    args.insert(args.end(), {"--report", report});
    c.pid = spawn_process(binary, std::move(args), log);
    return c;
}

SimOutcome finish_sim(const SimChild& c, int status) {
    SimOutcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (o.exit_code == 0) {
        std::ifstream f(c.report);
        try {
            o.report = nlohmann::json::parse(f);
        } catch (const std::exception& e) {
            throw std::runtime_error(c.report + ": not valid JSON: " + e.what());
        }
    } else {
        std::ifstream f(c.log);
        std::string line;
        auto banner = [](const std::string& l) {
            return l.find("SystemC 2.") != std::string::npos || l.find("Copyright (c)") != std::string::npos ||
                   l.find("ALL RIGHTS RESERVED") != std::string::npos;
        };
        while (std::getline(f, line)) {
            if (line.empty() || banner(line)) continue;
            o.last_line = line;
        }
        if (o.exit_code == 3) {
            // A stopped pipeline still writes its report: the verdict and the graph diagnosis.
            std::ifstream r(c.report);
            const nlohmann::json j = nlohmann::json::parse(r, nullptr, false);
            if (!j.is_discarded() && j.contains("stall")) {
                const nlohmann::json& s = j["stall"];
                o.stall = s.value("kind", std::string("deadlock")) + " at cycle " +
                          std::to_string(s.value("cycle", uint64_t(0)));
                for (const auto& d : s.value("diagnosis", nlohmann::json::array()))
                    if (d.is_string() && d.get<std::string>().rfind("reconvergent paths:", 0) == 0)
                        o.stall += "; " + d.get<std::string>();
            }
        }
    }
    std::error_code ec;
    std::filesystem::remove(c.report, ec);
    std::filesystem::remove(c.log, ec);
    return o;
}

SimOutcome run_sim(const std::string& binary, const std::vector<std::string>& args, const std::string& tmp_dir,
                   const std::string& name) {
    const SimChild c = start_sim(binary, args, tmp_dir + "/" + name + ".json", tmp_dir + "/" + name + ".log");
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0)
        if (errno != EINTR) throw std::runtime_error(std::string("waiting for sim: ") + std::strerror(errno));
    return finish_sim(c, status);
}

}  // namespace qsim::sweep
