#include "sim/sweep/sweep_runner.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "sim/design/config_loader.hpp"
#include "sim/design/yaml_front_end.hpp"
#include "sim/sweep/sim_child.hpp"
#include "sim/sweep/sweep_report.hpp"

namespace qsim::sweep {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// The non-param assignments as a --point string, and the param ones as --set overrides.
std::string point_text(const Assignments& a) {
    std::string s;
    for (const auto& [axis, value] : a)
        if (!axis->is_param) s += (s.empty() ? "" : ";") + axis->name + "=" + value;
    return s;
}

std::map<std::string, std::string> params_of(const DesignSpace& space, const Assignments& a) {
    std::map<std::string, std::string> p = space.base_params;
    for (const auto& [axis, value] : a)
        if (axis->is_param) p[axis->param] = value;
    return p;
}

nlohmann::json spec_json(const DesignSpace& space, const RunOptions& o) {
    nlohmann::json axes = nlohmann::json::array();
    for (const auto& a : space.axes) axes.push_back({{"name", a.name}, {"values", a.values}});
    return {{"digest", space.digest()},
            {"config", space.config},
            {"params", space.base_params},
            {"axes", axes},
            {"sample", {{"mode", space.sample.mode == SampleSpec::Mode::Grid ? "grid" : "random"},
                        {"points", space.sample.points},
                        {"seed", space.sample.seed}}},
            {"points", space.point_count()},
            {"tier", o.tier == RunOptions::Tier::Analytical ? "analytical" : "simulation"},
            {"frames", o.frames},
            {"shard", {{"index", o.shard_index}, {"count", o.shard_count}}}};
}

nlohmann::json read_json(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + path);
    try {
        return nlohmann::json::parse(f);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not valid JSON: " + e.what());
    }
}

// The finished points of a checkpoint; a last line cut short by an interruption is dropped.
std::map<uint64_t, PointResult> read_checkpoint(const std::string& path) {
    std::map<uint64_t, PointResult> done;
    std::ifstream f(path);
    std::string line;
    while (std::getline(f, line)) {
        if (line.empty()) continue;
        try {
            PointResult r = from_json(nlohmann::json::parse(line));
            done[r.index] = std::move(r);
        } catch (const std::exception&) {
            if (f.peek() != EOF) throw std::runtime_error(path + ": a damaged line in the middle: " + line.substr(0, 80));
        }
    }
    return done;
}

class ProgressBar {
public:
    ProgressBar(bool on, uint64_t total, uint64_t already) : on_(on), total_(total), done_(already) {}
    void step() {
        ++done_;
        ++new_;
        if (!on_) return;
        const auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(200) && done_ < total_) return;
        last_ = now;
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const double rate = elapsed > 0 ? double(new_) / elapsed : 0;
        const double eta = rate > 0 ? double(total_ - done_) / rate : 0;
        const int width = 30, filled = total_ ? int(width * done_ / total_) : width;
        std::fprintf(stderr, "\r[%s%s] %llu/%llu points, %.0f/s, ETA %.0f s   ", std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), (unsigned long long)done_, (unsigned long long)total_,
                     rate, eta);
        if (done_ >= total_) std::fputc('\n', stderr);
    }

private:
    bool on_;
    uint64_t total_, done_, new_ = 0;
    Clock::time_point start_ = Clock::now(), last_{};
};

// One simulation-tier point: its child process and its analytical result.
struct Child {
    SimChild sim;
    uint64_t index = 0;
    PointResult analytical;
};

Child spawn_point(const DesignSpace& space, const RunOptions& o, uint64_t index, const Assignments& a,
                  const std::string& tmp, PointResult analytical) {
    std::vector<std::string> args = {"--config", space.config, "--frames", std::to_string(o.frames)};
    const std::string point = point_text(a);
    if (!point.empty()) args.insert(args.end(), {"--point", point});
    for (const auto& [k, v] : params_of(space, a)) args.insert(args.end(), {"--set", k + "=" + v});
    const std::string base = tmp + "/point_" + std::to_string(index);
    return {start_sim(o.sim_binary, args, base + ".json", base + ".log"), index, std::move(analytical)};
}

PointResult finish_point(Child& c, int status) {
    PointResult r = std::move(c.analytical);
    const SimOutcome out = finish_sim(c.sim, status);
    if (out.exit_code == 0) {
        const auto& perf = out.report.at("performance");
        r.tier = "simulation";
        r.sim_interval_cycles = perf.at("interval_cycles");
        r.sim_frames_per_second = perf.at("frames_per_second");
        r.latency_us = perf.at("latency_us");
    } else {
        r.valid = false;
        r.reason = out.exit_code == 3 ? "the simulated pipeline stopped (deadlock or livelock): " + out.last_line
                                      : "sim exited with " + std::to_string(out.exit_code) + ": " + out.last_line;
    }
    return r;
}

RunSummary summarize(const std::map<uint64_t, PointResult>& done, const DesignSpace& space, const std::string& dir,
                     bool plots, RunSummary s) {
    std::vector<PointResult> rows;
    for (const auto& [i, r] : done) {
        rows.push_back(r);
        s.valid += r.valid ? 1 : 0;
        s.fitting += r.valid && r.fits ? 1 : 0;
    }
    write_results(dir, space, rows);
    s.files = {dir + "/results.csv", dir + "/results.json", dir + "/pareto.csv"};
    if (plots) {
        const auto p = write_plots(dir, rows);
        s.files.insert(s.files.end(), p.begin(), p.end());
    }
    return s;
}

}  // namespace

PointResult evaluate_point(const DesignSpace& space, const design::NetworkSpec& base, uint64_t index) {
    const Assignments a = assignments(space, space.point(index));
    PointResult r;
    try {
        design::NetworkSpec spec =
            space.has_param_axes() ? design::read_yaml_spec(space.config, params_of(space, a)) : base;
        const design::Derived d = derive_point(spec, a, "sweep axis");
        if (d.ok()) {
            r = evaluate_analytical(d.design);
        } else {
            r.valid = false;
            r.reason = spec.error(d.violations.front()).what();
        }
    } catch (const ConfigError& e) {
        r.valid = false;
        r.reason = e.what();
    }
    r.index = index;
    r.point = space.encode(space.point(index));
    return r;
}

RunSummary run_sweep(const DesignSpace& space, const RunOptions& o) {
    const auto t0 = Clock::now();
    if (o.shard_count == 0 || o.shard_index >= o.shard_count)
        throw std::runtime_error("--shard " + std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count) +
                                 ": expected i/N with 0 <= i < N");
    if (space.point_count() == 0) throw std::runtime_error("the sweep has no points");
    // The base specification, and every axis naming one of its fields, before anything is written.
    const design::NetworkSpec base = design::read_yaml_spec(space.config, space.base_params);
    check_axes(base, space.axes);
    fs::create_directories(o.out_dir);
    const std::string spec_path = o.out_dir + "/spec.json", ckpt = o.out_dir + "/points.jsonl";
    const nlohmann::json spec = spec_json(space, o);
    if (fs::exists(spec_path)) {
        const nlohmann::json old = read_json(spec_path);
        if (old.value("digest", "") != spec["digest"] || old.value("shard", nlohmann::json()) != spec["shard"] ||
            old.value("tier", "") != spec["tier"] || old.value("frames", 0) != spec["frames"])
            throw std::runtime_error(o.out_dir + " holds results of a different sweep (" + spec_path +
                                     "); give another --out or remove it");
    } else {
        std::ofstream(spec_path) << spec.dump(1) << "\n";
    }
    std::map<uint64_t, PointResult> done = read_checkpoint(ckpt);

    std::vector<uint64_t> todo;
    RunSummary s;
    for (uint64_t i = o.shard_index; i < space.point_count(); i += o.shard_count) {
        ++s.points;
        if (!done.count(i)) todo.push_back(i);
    }
    std::ofstream out(ckpt, std::ios::app);
    ProgressBar bar(o.progress, s.points, s.points - todo.size());
    // A simulated point is on disk as soon as it is done; analytical points, microseconds
    // each, are flushed in batches (an interruption loses at most a batch).
    const bool simulated = o.tier == RunOptions::Tier::Simulation;
    auto record = [&](PointResult r) {
        out << to_json(r).dump() << "\n";
        if (simulated || s.evaluated % 4096 == 4095) out.flush();
        done[r.index] = std::move(r);
        ++s.evaluated;
        bar.step();
    };
    if (o.tier == RunOptions::Tier::Analytical) {
        for (uint64_t i : todo) record(evaluate_point(space, base, i));
    } else {
        const std::string tmp = o.out_dir + "/tmp";
        fs::create_directories(tmp);
        std::map<pid_t, Child> running;
        size_t next = 0;
        while (next < todo.size() || !running.empty()) {
            while (next < todo.size() && int(running.size()) < std::max(1, o.jobs)) {
                const uint64_t i = todo[next++];
                PointResult a = evaluate_point(space, base, i);
                if (!a.valid) {
                    record(std::move(a));
                    continue;
                }
                Child c = spawn_point(space, o, i, assignments(space, space.point(i)), tmp, std::move(a));
                running[c.sim.pid] = std::move(c);
            }
            if (running.empty()) continue;
            int status = 0;
            const pid_t pid = waitpid(-1, &status, 0);
            auto it = running.find(pid);
            if (it == running.end()) continue;
            record(finish_point(it->second, status));
            running.erase(it);
        }
        std::error_code ec;
        fs::remove(tmp, ec);
    }
    out.close();
    s.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return summarize(done, space, o.out_dir, o.plots, s);
}

RunSummary merge_shards(const std::vector<std::string>& dirs, const std::string& out_dir, bool plots) {
    if (dirs.empty()) throw std::runtime_error("sweep-merge: no shard directories given");
    nlohmann::json first;
    std::map<uint64_t, PointResult> done;
    std::set<uint64_t> shards;
    for (const auto& d : dirs) {
        const nlohmann::json spec = read_json(d + "/spec.json");
        if (first.is_null()) first = spec;
        if (spec.at("digest") != first.at("digest") || spec.at("tier") != first.at("tier") ||
            spec.at("shard").at("count") != first.at("shard").at("count"))
            throw std::runtime_error("sweep-merge: " + d + " belongs to a different sweep than " + dirs.front());
        shards.insert(spec.at("shard").at("index").get<uint64_t>());
        for (auto& [i, r] : read_checkpoint(d + "/points.jsonl")) done[i] = std::move(r);
    }
    const uint64_t count = first.at("shard").at("count"), points = first.at("points");
    if (shards.size() != count)
        throw std::runtime_error("sweep-merge: " + std::to_string(shards.size()) + " of " + std::to_string(count) +
                                 " shards given");
    for (uint64_t i = 0; i < points; ++i)
        if (!done.count(i)) throw std::runtime_error("sweep-merge: point " + std::to_string(i) + " is missing (an unfinished shard?)");
    // The design space as the shards saw it, for the outputs.
    DesignSpace space;
    space.config = first.at("config");
    for (const auto& a : first.at("axes")) {
        Axis axis = parse_axis(a.at("name").get<std::string>() + "=0");
        axis.values = a.at("values").get<std::vector<std::string>>();
        space.axes.push_back(axis);
    }
    fs::create_directories(out_dir);
    nlohmann::json spec = first;
    spec["shard"] = {{"index", 0}, {"count", 1}};
    std::ofstream(out_dir + "/spec.json") << spec.dump(1) << "\n";
    std::ofstream out(out_dir + "/points.jsonl");
    for (const auto& [i, r] : done) out << to_json(r).dump() << "\n";
    out.close();
    RunSummary s;
    s.points = points;
    return summarize(done, space, out_dir, plots, s);
}

}  // namespace qsim::sweep
