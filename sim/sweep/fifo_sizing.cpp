#include "sim/sweep/fifo_sizing.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "models/common/text_format.hpp"
#include "sim/sweep/config_yaml.hpp"

namespace qsim::sweep {

std::string interval_text(uint64_t cycles, const NetworkConfig& net) {
    return grouped(cycles) + " cycles per frame (" + fmt("%.1f", net.clock_hz() / double(cycles)) + " frames/s)";
}

std::string run_text(const FifoRun& run, const NetworkConfig& net) {
    return run.completed ? interval_text(run.interval, net) : "STOPPED: " + run.stall;
}

namespace {

// One run, counted.
struct Runner {
    const FifoSimulator& simulate;
    int count = 0;
    std::vector<FifoRun> operator()(const std::vector<std::vector<int>>& depths, uint64_t pace) {
        count += int(depths.size());
        std::vector<FifoRun> runs = simulate(depths, pace);
        if (runs.size() != depths.size()) throw std::logic_error("the FIFO simulator returned the wrong number of runs");
        return runs;
    }
    FifoRun one(const std::vector<int>& depths, uint64_t pace) { return (*this)({depths}, pace).front(); }
};

}  // namespace

FifoSizingResult size_fifos(const NetworkConfig& net, const FifoSizingRequest& request, const FifoSimulator& simulate) {
    FifoSizingResult r;
    const std::vector<FifoSite> sites = fifo_sites(net);
    const size_t n = sites.size();
    Runner run{simulate};

    // Deep FIFOs: two frames of rows each, never less than configured.
    std::vector<int> deep(n);
    for (size_t f = 0; f < n; ++f) deep[f] = std::max(sites[f].depth_rows, 2 * sites[f].frame_rows + 2);
    const FifoRun best = run.one(deep, 0);
    if (!best.completed)
        throw std::runtime_error("the design stops even with every FIFO two frames deep, so no depth can help (" +
                                 best.stall + ")");
    r.bottleneck_interval = best.interval;
    r.target_interval = best.interval;
    if (request.target_fps > 0) {
        const uint64_t target = uint64_t(std::ceil(net.clock_hz() / request.target_fps));
        if (target < best.interval)
            throw std::runtime_error("the target " + fmt("%g", request.target_fps) +
                                     " frames/s is faster than the design can run with any FIFOs: " +
                                     interval_text(best.interval, net) + " with every FIFO two frames deep");
        r.target_interval = target;
        r.pace = target;
    }
    r.interval_limit = uint64_t(std::floor(double(r.target_interval) * (1.0 + request.tolerance)));
    auto keeps_rate = [&](const FifoRun& x) { return r.keeps_rate(x); };

    // The deep method: the peaks of a run paced at the target; deeper where a FIFO filled.
    FifoRun paced;
    for (int attempt = 0;; ++attempt) {
        paced = run.one(deep, r.target_interval);
        if (!paced.completed) throw std::runtime_error("the paced run with deep FIFOs stops: " + paced.stall);
        bool filled = false;
        for (size_t f = 0; f < n; ++f)
            if (paced.peaks.at(f) >= deep[f]) {
                deep[f] *= 2;
                filled = true;
            }
        if (!filled) break;
        if (attempt == 3)
            throw std::runtime_error("FIFOs keep filling at sixteen frames of depth: the input outruns the design");
    }
    std::vector<int> peak(n);
    for (size_t f = 0; f < n; ++f) peak[f] = std::max(1, paced.peaks[f]);
    r.deep_check = run.one(peak, r.pace);
    r.deep_keeps_rate = keeps_rate(r.deep_check);
    std::vector<int> start = peak;
    if (!r.deep_keeps_rate) {
        r.notes.push_back("the deep method's peak depths do not keep the rate (" + run_text(r.deep_check, net) +
                          "); the minimising method starts from the deep FIFOs");
        start = deep;
    }

    // The minimising method: a binary search per FIFO, the others at their start depths.
    std::vector<int> lo(n, 1), hi = start;
    for (;;) {
        std::vector<size_t> active;
        std::vector<std::vector<int>> trials;
        for (size_t f = 0; f < n; ++f)
            if (lo[f] < hi[f]) {
                std::vector<int> d = start;
                d[f] = lo[f] + (hi[f] - lo[f]) / 2;
                active.push_back(f);
                trials.push_back(d);
            }
        if (active.empty()) break;
        const std::vector<FifoRun> runs = run(trials, r.pace);
        for (size_t t = 0; t < active.size(); ++t) {
            const size_t f = active[t];
            if (keeps_rate(runs[t]))
                hi[f] = trials[t][f];
            else
                lo[f] = trials[t][f] + 1;
        }
    }
    // Together: where the combination needs more than each FIFO alone, raise one FIFO back to
    // its start depth, the one that restores the rate for the fewest bits (or, when none does
    // alone, the one that helps most), until the rate is kept.
    std::vector<int> minimal = hi;
    r.minimal_check = run.one(minimal, r.pace);
    auto slower = [](const FifoRun& x, const FifoRun& y) {  // x worse than y
        if (x.completed != y.completed) return !x.completed;
        return x.completed && x.interval > y.interval;
    };
    while (!keeps_rate(r.minimal_check)) {
        std::vector<size_t> raised;
        std::vector<std::vector<int>> trials;
        for (size_t f = 0; f < n; ++f)
            if (minimal[f] < start[f]) {
                std::vector<int> d = minimal;
                d[f] = start[f];
                raised.push_back(f);
                trials.push_back(d);
            }
        if (raised.empty()) throw std::logic_error("the minimising method's start depths do not keep the rate");
        const std::vector<FifoRun> runs = run(trials, r.pace);
        size_t pick = 0;
        for (size_t t = 1; t < raised.size(); ++t) {
            auto bits = [&](size_t k) { return uint64_t(start[raised[k]] - minimal[raised[k]]) * sites[raised[k]].row_bits; };
            const bool ok_t = keeps_rate(runs[t]), ok_pick = keeps_rate(runs[pick]);
            if (ok_t != ok_pick ? ok_t : ok_t ? bits(t) < bits(pick) : slower(runs[pick], runs[t])) pick = t;
        }
        const size_t f = raised[pick];
        r.notes.push_back("together the FIFOs needed more than each alone: " + sites[f].label + " raised from " +
                          std::to_string(minimal[f]) + " to " + std::to_string(start[f]) + " rows");
        minimal[f] = start[f];
        r.minimal_check = runs[pick];
    }

    for (size_t f = 0; f < n; ++f) r.fifos.push_back({sites[f], deep[f], peak[f], minimal[f]});
    r.simulations = run.count;
    return r;
}

namespace {

// Where the depths go in a configuration: input.fifo_depth, each producer's fifo_depth, and per
// reader its input_fifo_depths list (0 for the inputs that do not fork).
struct FifoSettings {
    std::vector<std::pair<const FifoSite*, int>> single;  // Input and Layer sites
    std::map<int, std::vector<int>> branch_lists;         // reader -> input_fifo_depths
};

FifoSettings fifo_settings(const NetworkConfig& net, const std::vector<FifoSite>& sites, const std::vector<int>& depths) {
    FifoSettings out;
    for (size_t f = 0; f < sites.size(); ++f) {
        const FifoSite& s = sites[f];
        if (s.kind != FifoKind::Branch) {
            out.single.emplace_back(&s, depths.at(f));
            continue;
        }
        std::vector<int>& list = out.branch_lists[s.reader];
        list.resize(net.inputs_of(size_t(s.reader)).size(), 0);
        list[size_t(s.input)] = depths.at(f);
    }
    return out;
}

}  // namespace

std::string fifo_point(const NetworkConfig& net, const std::vector<FifoSite>& sites, const std::vector<int>& depths) {
    std::string point;
    auto add = [&](const std::string& item) { point += (point.empty() ? "" : ";") + item; };
    const FifoSettings set = fifo_settings(net, sites, depths);
    for (const auto& [site, depth] : set.single)
        add((site->kind == FifoKind::Input ? std::string("input") : net.layers[size_t(site->producer)].name) +
            ".fifo_depth=" + std::to_string(depth));
    for (const auto& [reader, list] : set.branch_lists) {
        std::string text;
        for (int d : list) text += (text.empty() ? "" : " ") + std::to_string(d);
        add(net.layers[size_t(reader)].name + ".input_fifo_depths=[" + text + "]");
    }
    return point;
}

std::string sized_yaml(const std::string& base_file, const NetworkConfig& net, const std::vector<FifoSite>& sites,
                       const std::vector<int>& depths, const std::string& header, const std::string& out_dir) {
    const FifoSettings set = fifo_settings(net, sites, depths);
    auto size = [&](YAML::Node& root) {
        YAML::Node layers = root["layers"];
        for (const auto& [site, depth] : set.single) {
            if (site->kind == FifoKind::Input)
                root["input"]["fifo_depth"] = depth;
            else
                layers[size_t(site->producer)]["fifo_depth"] = depth;
        }
        for (const auto& [reader, list] : set.branch_lists) {
            YAML::Node seq(YAML::NodeType::Sequence);
            for (int d : list) seq.push_back(d);
            seq.SetStyle(YAML::EmitterStyle::Flow);
            layers[size_t(reader)]["input_fifo_depths"] = seq;
        }
    };
    return edited_config_yaml(base_file, net, size, header, out_dir);
}

}  // namespace qsim::sweep
