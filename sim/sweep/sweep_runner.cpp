#include "sim/sweep/sweep_runner.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
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
#include "models/common/output_file.hpp"
#include "models/common/version.hpp"
#include "sim/sweep/checkpoint.hpp"
#include "sim/sweep/point_evaluator.hpp"
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

// Whether an analytical sweep simulates the points it marks `needs simulation` (it can when it
// knows the sim binary and was not told to trust the closed form).
bool simulates_doubtful(const RunOptions& o) {
    return o.tier == RunOptions::Tier::Analytical && o.simulate_doubtful && !o.sim_binary.empty();
}

nlohmann::json spec_json(const DesignSpace& space, const RunOptions& o) {
    nlohmann::json axes = nlohmann::json::array();
    for (const auto& a : space.axes) axes.push_back({{"name", a.name}, {"values", a.values}});
    return {{"tool", std::string("sim ") + version()},
            {"schema_version", kSweepCsvSchemaVersion},  // of results.csv, results.json and pareto.csv
            {"digest", space.digest()},
            {"config", space.config},
            {"params", space.base_params},
            {"axes", axes},
            {"sample", {{"mode", space.sample.mode == SampleSpec::Mode::Grid ? "grid" : "random"},
                        {"points", space.sample.points},
                        {"seed", space.sample.seed}}},
            {"points", space.point_count()},
            {"tier", o.tier == RunOptions::Tier::Analytical ? "analytical" : "simulation"},
            {"frames", o.frames},
            {"simulate_doubtful", simulates_doubtful(o)},
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
    // Timing only: a point's figures are its cycles, which the values do not change.
    std::vector<std::string> args = {"--config", space.config, "--frames", std::to_string(o.frames), "--timing-only"};
    const std::string point = point_text(a);
    if (!point.empty()) args.insert(args.end(), {"--point", point});
    for (const auto& [k, v] : params_of(space, a)) args.insert(args.end(), {"--set", k + "=" + v});
    const std::string base = tmp + "/point_" + std::to_string(index);
    return {start_sim(o.sim_binary, args, base + ".json", base + ".log"), index, std::move(analytical)};
}

// The simulation's own bottleneck and per-layer cycles, as the analytical tier names them
// ("conv3 mvtu", "source"): the busiest block of the child's report, "+ stalls" when the
// simulated interval is more than 2% above its busy cycles per frame, and each layer's
// slowest block (its unit or its SWU side) in busy cycles per frame.
void take_simulated_balance(const nlohmann::json& report, PointResult& r) {
    const auto& bn = report.at("performance").at("bottleneck");
    const std::string block = bn.value("block", "");
    std::string role;
    uint64_t busy = 0;
    for (const auto& b : report.value("blocks", nlohmann::json::array()))
        if (b.value("name", "") == block) {
            role = b.value("role", "");
            busy = b.value("busy_cycles", uint64_t(0));
        }
    const std::string layer = bn.value("layer", "");
    if (!block.empty()) {
        r.bottleneck = layer.empty() ? (role.empty() ? block : role) : layer + " " + role;
        const double frames = std::max(1.0, double(report.at("frames").value("completed", 1)));
        if (r.sim_interval_cycles > 0 && double(r.sim_interval_cycles) > 1.02 * double(busy) / frames)
            r.bottleneck += " + stalls";
    }
    std::vector<std::pair<std::string, uint64_t>> cycles;
    for (const auto& l : report.value("layers", nlohmann::json::array())) {
        uint64_t c = l.value("busy_cycles_per_frame", uint64_t(0));
        if (l.contains("swu"))
            c = std::max({c, l["swu"].value("write_busy_cycles_per_frame", uint64_t(0)),
                          l["swu"].value("read_busy_cycles_per_frame", uint64_t(0))});
        cycles.emplace_back(l.value("name", ""), c);
    }
    if (!cycles.empty()) r.layer_cycles = std::move(cycles);
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
        if (out.report.contains("power")) {
            r.power_w = out.report["power"].at("total_w");
            r.energy_per_frame_j = out.report["power"].at("energy_per_frame_j");
        }
        take_simulated_balance(out.report, r);
    } else {
        r.valid = false;
        r.reason = out.exit_code == 3 ? "the simulated pipeline stopped: " + (out.stall.empty() ? out.last_line : out.stall)
                                      : "sim exited with " + std::to_string(out.exit_code) + ": " + out.last_line;
    }
    return r;
}

RunSummary summarize(const DesignSpace& space, const std::string& dir, bool plots, RunSummary s) {
    const OutputSummary out = write_outputs(dir, space, dir + "/points.jsonl", plots);
    s.valid = out.valid;
    s.fitting = out.fitting;
    s.files = out.files;
    return s;
}

// Ctrl-C (SIGINT) and SIGTERM during a sweep: stop starting points, let the finished ones be
// recorded, and leave the checkpoint whole for a resume.
volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted = 0;
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~InterruptGuard() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    bool interrupted() const { return g_interrupted != 0; }

private:
    struct sigaction old_int_ {}, old_term_ {};
};

// The spec of the sweep in DIR: written at the first run, the same at every resume.
void claim_directory(const std::string& spec_path, const nlohmann::json& spec, const std::string& dir) {
    if (fs::exists(spec_path)) {
        const nlohmann::json old = read_json(spec_path);
        if (old.value("digest", "") != spec["digest"] || old.value("shard", nlohmann::json()) != spec["shard"] ||
            old.value("tier", "") != spec["tier"] || old.value("frames", 0) != spec["frames"] ||
            old.value("simulate_doubtful", false) != spec["simulate_doubtful"])
            throw std::runtime_error(dir + " holds results of a different sweep (" + spec_path +
                                     "); give another --out or remove it");
    } else {
        write_file_atomically(spec_path, spec.dump(1) + "\n");
    }
}

}  // namespace

PointResult evaluate_point(const DesignSpace& space, const design::NetworkSpec& base, uint64_t index) {
    const Assignments a = assignments(space, space.point(index));
    PointResult r;
    try {
        design::NetworkSpec spec =
            space.has_param_axes() ? design::read_yaml_spec(space.config, params_of(space, a)) : base;
        const design::Derived d = derive_point(spec, a, kSweepAxisOrigin);
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
    if (space.point_count() > kMaxPoints)
        throw std::invalid_argument("the sweep has " + std::to_string(space.point_count()) + " points, more than the " +
                                    std::to_string(kMaxPoints) + " one run takes; sample it (--random N) or shard it");
    // The base specification, and every axis naming one of its fields, before anything is written.
    const design::NetworkSpec base = design::read_yaml_spec(space.config, space.base_params);
    check_axes(base, space.axes);
    make_output_directory(o.out_dir);
    const DirectoryLock lock(o.out_dir);
    const std::string ckpt = o.out_dir + "/points.jsonl";
    claim_directory(o.out_dir + "/spec.json", spec_json(space, o), o.out_dir);

    // The points of this shard, and which of them the checkpoint holds (one bit each).
    const uint64_t first = o.shard_index, step = o.shard_count;
    const uint64_t total = first < space.point_count() ? (space.point_count() - first + step - 1) / step : 0;
    std::vector<bool> done(total, false);
    for_each_record(ckpt, [&](PointResult&& r) {
        if (r.index >= first && (r.index - first) % step == 0 && (r.index - first) / step < total)
            done[(r.index - first) / step] = true;
    });
    RunSummary s;
    s.points = total;
    const uint64_t already = uint64_t(std::count(done.begin(), done.end(), true));
    InterruptGuard interrupt;
    PointEvaluator evaluator(space, base);  // the analytical tier, with what points share cached
    {
        CheckpointWriter out(ckpt);
        ProgressBar bar(o.progress, s.points, already);
        // A simulated point is on disk as soon as it is done; analytical points, microseconds
        // each, are flushed in batches (an interruption loses at most a batch).
        const bool simulated = o.tier == RunOptions::Tier::Simulation;
        // The analytical tier simulates the points it cannot trust, when it can start sim.
        const bool doubtful_simulated = simulates_doubtful(o);
        auto record = [&](const PointResult& r) {
            out.append(r);
            if (simulated || r.tier == "simulation") out.flush();
            ++s.evaluated;
            bar.step();
        };
        uint64_t k = 0;  // the next point of the shard to look at
        auto next_todo = [&](uint64_t& index) {
            for (; k < total; ++k)
                if (!done[k]) {
                    index = first + k++ * step;
                    return true;
                }
            return false;
        };
        uint64_t i = 0;
        if (!simulated && !doubtful_simulated) {
            while (!interrupt.interrupted() && next_todo(i)) record(evaluator.evaluate(i));
        } else {
            const std::string tmp = o.out_dir + "/tmp";
            fs::create_directories(tmp);
            std::map<pid_t, Child> running;
            // A child that refuses its command line (exit 2: e.g. more --frames than the 64-bit
            // clock holds for this design) says nothing about the point: the sweep stops.
            std::string refused;
            for (;;) {
                while (!interrupt.interrupted() && refused.empty() && int(running.size()) < std::max(1, o.jobs) &&
                       next_todo(i)) {
                    PointResult a = evaluator.evaluate(i);
                    if (!a.valid || (!simulated && a.needs_simulation.empty())) {
                        record(a);
                        continue;
                    }
                    Child c = spawn_point(space, o, i, assignments(space, space.point(i)), tmp, std::move(a));
                    running[c.sim.pid] = std::move(c);
                }
                if (running.empty()) break;
                int status = 0;
                const pid_t pid = waitpid(-1, &status, 0);
                if (pid < 0) continue;  // EINTR: the interrupt arrived
                auto it = running.find(pid);
                if (it == running.end()) continue;
                // A point whose simulation the interrupt killed is not a result: it is redone.
                if (interrupt.interrupted() && WIFSIGNALED(status)) {
                    finish_sim(it->second.sim, status);
                } else if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
                    const SimOutcome out = finish_sim(it->second.sim, status);
                    if (refused.empty())
                        refused = "point " + std::to_string(it->second.index) + " (" +
                                  space.encode(space.point(it->second.index)) +
                                  "): sim refused its command line (the sweep stops; points done are kept): " + out.last_line;
                } else {
                    record(finish_point(it->second, status));
                }
                running.erase(it);
            }
            std::error_code ec;
            fs::remove_all(tmp, ec);
            if (!refused.empty() && !interrupt.interrupted()) throw std::runtime_error(refused);
        }
    }
    s.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (interrupt.interrupted())
        throw Interrupted(std::to_string(already + s.evaluated) + " of " + std::to_string(s.points) +
                          " points are done and kept in " + ckpt + "; run the same command again to go on");
    return summarize(space, o.out_dir, o.plots, s);
}

RunSummary merge_shards(const std::vector<std::string>& dirs, const std::string& out_dir, bool plots) {
    if (dirs.empty()) throw std::runtime_error("sweep-merge: no shard directories given");
    for (const auto& d : dirs)
        if (same_file(d, out_dir))
            throw std::invalid_argument("--out " + out_dir + " is one of the shard directories (" + d +
                                        "); the merge would overwrite it: give another --out");
    nlohmann::json first;
    std::set<uint64_t> shards;
    std::vector<nlohmann::json> specs;
    for (const auto& d : dirs) {
        const nlohmann::json spec = read_json(d + "/spec.json");
        if (first.is_null()) first = spec;
        if (spec.at("digest") != first.at("digest") || spec.at("tier") != first.at("tier") ||
            spec.at("shard").at("count") != first.at("shard").at("count"))
            throw std::runtime_error("sweep-merge: " + d + " belongs to a different sweep than " + dirs.front());
        shards.insert(spec.at("shard").at("index").get<uint64_t>());
    }
    const uint64_t count = first.at("shard").at("count"), points = first.at("points");
    if (shards.size() != count)
        throw std::runtime_error("sweep-merge: " + std::to_string(shards.size()) + " of " + std::to_string(count) +
                                 " shards given");
    if (points > kMaxPoints) throw std::runtime_error("sweep-merge: " + std::to_string(points) + " points, more than " +
                                                      std::to_string(kMaxPoints));
    // The design space as the shards saw it, for the outputs.
    DesignSpace space;
    space.config = first.at("config");
    for (const auto& a : first.at("axes")) {
        Axis axis = parse_axis(a.at("name").get<std::string>() + "=0");
        axis.values = a.at("values").get<std::vector<std::string>>();
        space.axes.push_back(axis);
    }
    make_output_directory(out_dir);
    const DirectoryLock lock(out_dir);
    // Every shard's records, point by point, into one checkpoint.
    std::vector<bool> seen(points, false);
    {
        AtomicFileWriter merged(out_dir + "/points.jsonl");
        for (const auto& d : dirs)
            for_each_record(d + "/points.jsonl", [&](PointResult&& r) {
                if (r.index >= points) throw std::runtime_error("sweep-merge: " + d + " has a point out of range");
                seen[r.index] = true;
                merged.stream() << to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            });
        for (uint64_t i = 0; i < points; ++i)
            if (!seen[i]) throw std::runtime_error("sweep-merge: point " + std::to_string(i) + " is missing (an unfinished shard?)");
        merged.commit();
    }
    nlohmann::json spec = first;
    spec["shard"] = {{"index", 0}, {"count", 1}};
    write_file_atomically(out_dir + "/spec.json", spec.dump(1) + "\n");
    RunSummary s;
    s.points = points;
    return summarize(space, out_dir, plots, s);
}

}  // namespace qsim::sweep
