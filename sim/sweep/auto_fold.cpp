#include "sim/sweep/auto_fold.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/common/int_math.hpp"
#include "models/common/text_format.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "sim/design/folding_rules.hpp"
#include "models/pool/pool_timing.hpp"
#include "models/resources/resource_model.hpp"
#include "models/resources/rule_text.hpp"
#include "models/source/source_timing.hpp"
#include "models/swu/swu_timing.hpp"

namespace qsim::sweep {

namespace {

// Device-fit mode: each interval tried is this much longer than the last.
constexpr double kFitStep = 1.01;

std::vector<int> divisors(int n) {
    std::vector<int> d;
    for (int i = 1; i <= n; ++i)
        if (n % i == 0) d.push_back(i);
    return d;
}

// The slowest block of one layer with this folding: its MVTU / pooling unit and SWU sides.
uint64_t layer_cycles(const LayerConfig& l) {
    uint64_t c = l.is_compute() ? mvtu_cycles_per_frame(l) : pool_cycles_per_frame(l);
    if (l.uses_swu()) c = std::max({c, swu_input_cycles_per_frame(l), swu_window_cycles_per_frame(l)});
    return c;
}

// Re-derives the layer's output channels for its PE (pruning rounds to a PE multiple) and
// returns whether the folding is legal.
bool set_folding(LayerConfig& l, Folding f) {
    l.folding = f;
    if (l.is_compute()) {
        const int64_t n = derive_output_channels(l, f.pe);
        if (n > l.filters && !l.grow_to_pe) return false;
        if (l.type == LayerType::Fc)
            l.out = FmShape{1, 1, int(n)};
        else
            l.out.channels = int(n);
    }
    return !check_folding(l) && !check_reuse(l);
}

// Candidate PEs: divisors of N/groups for an unpruned layer; for a pruned (or growing) one
// every PE up to the filters per group, the channel count following it.
std::vector<int> pe_candidates(const LayerConfig& l) {
    if (!l.is_compute()) return {1};
    if (l.prune == 0.0 && !l.grow_to_pe) return divisors(l.out.channels / l.groups);
    std::vector<int> out;
    for (int pe = 1; pe <= l.filters / l.groups; ++pe) out.push_back(pe);
    return out;
}

// The cheapest folding of layer `l` (its input already derived) that needs at most `target`
// cycles per frame; false when none does.
bool fold_layer(LayerConfig& l, uint64_t target) {
    const int simd_range = l.type == LayerType::Fc ? 0 : l.in.channels / l.groups;
    std::vector<int> simds = l.type == LayerType::Fc ? std::vector<int>() : divisors(simd_range);
    if (l.type == LayerType::Fc)
        for (int s = 1; s <= 4096 && int64_t(s) <= l.in.elements(); ++s)
            if (l.in.elements() % s == 0) simds.push_back(s);
    const std::vector<int> mmvs = l.type == LayerType::Conv ? divisors(l.out.width) : std::vector<int>{1};
    const std::vector<int> pes = pe_candidates(l);
    bool found = false;
    Folding best{};
    uint64_t best_lanes = 0;
    LayerConfig c = l;  // a working copy: set_folding rewrites its folding and channel count
    for (int simd : simds)
        for (int pe : pes)
            for (int mmv : mmvs) {
                if (pe % l.reuse != 0) continue;
                if (!set_folding(c, {pe, simd, mmv}) || layer_cycles(c) > target) continue;
                const uint64_t lanes = uint64_t(pe) * simd * mmv;
                const bool better = !found || lanes < best_lanes ||
                                    (lanes == best_lanes && (simd > best.simd || (simd == best.simd && pe > best.pe)));
                if (better) {
                    found = true;
                    best = {pe, simd, mmv};
                    best_lanes = lanes;
                }
            }
    if (found) set_folding(l, best);
    return found;
}

// Folds every layer (but the kept ones) for interval `target`; false when some layer cannot
// reach it or a kept layer's folding no longer fits its input.
bool fold_all(NetworkConfig& net, uint64_t target, const std::vector<std::string>& keep, std::string* failing) {
    FmShape prev = net.input.shape;
    for (LayerConfig& l : net.layers) {
        l.in = l.type == LayerType::Fc ? prev : FmShape{l.in.height, l.in.width, prev.channels};
        if (!l.is_compute()) {
            l.out.channels = l.in.channels;
            if (l.type == LayerType::GlobalMaxPool) l.out = FmShape{1, 1, l.in.channels};
        }
        const bool kept = std::find(keep.begin(), keep.end(), l.name) != keep.end();
        if (kept ? !set_folding(l, l.folding) : !fold_layer(l, target)) {
            if (failing) *failing = l.name;
            return false;
        }
        prev = l.out;
    }
    return true;
}

FoldResult finish(NetworkConfig net, uint64_t target) {
    FoldResult r;
    r.net = std::move(net);
    r.target_cycles = target;
    const DataflowEstimate est = estimate_dataflow(r.net, false);
    r.interval_cycles = est.interval_cycles;
    r.frames_per_second = est.frames_per_second(r.net.clock_hz());
    const ResourceRulesOff totals_only;  // the fold needs the totals, not the per-part rules
    const ResourceReport rep = estimate_resources(r.net);
    r.resources = rep.total;
    r.fits = rep.device.fits;
    r.exceeded = rep.device.exceeded;
    return r;
}

}  // namespace

FoldResult auto_fold(const NetworkConfig& base, const FoldRequest& request) {
    for (const auto& name : request.keep)
        if (base.find_layer(name) == nullptr) throw std::runtime_error("--keep " + name + ": no such layer");
    const uint64_t source = source_row_cycles(base.input) * uint64_t(base.input.shape.height);
    std::vector<std::string> notes;
    if (request.target_fps > 0) {
        uint64_t target = uint64_t(std::floor(base.clock_hz() / request.target_fps));
        if (target < source) {
            std::ostringstream os;
            os << "the input stream needs " << grouped(source) << " cycles per frame (" << base.input.shape.height
               << " rows x " << source_row_cycles(base.input) << " cycles), more than the " << grouped(target)
               << " of " << request.target_fps << " frames/s at " << base.device.clock_mhz << " MHz: folded for "
               << base.clock_hz() / double(source) << " frames/s instead (a wider input.stream_bits would go faster)";
            notes.push_back(os.str());
            target = source;
        }
        NetworkConfig net = base;
        std::string failing;
        if (!fold_all(net, target, request.keep, &failing))
            throw std::runtime_error("no folding of layer " + failing + " reaches " + grouped(target) + " cycles per frame");
        FoldResult r = finish(std::move(net), target);
        r.notes = notes;
        return r;
    }
    // The fastest design that fits. Whether the folding for an interval fits is not monotone in
    // the interval (the fewest lanes do not always mean the fewest block RAMs), so the intervals
    // are scanned from the input stream's upwards in steps of kFitStep and the first folding
    // that fits is taken.
    if (!(base.device.lut || base.device.bram18 || base.device.dsp))
        throw std::runtime_error("without --target-fps the folding is chosen to fit the device, but device '" +
                                 base.device.name + "' has no resource counts; name a device or give --target-fps");
    for (double t = double(source); t < 1e15; t *= kFitStep) {
        NetworkConfig net = base;
        const uint64_t target = uint64_t(t);
        if (!fold_all(net, target, request.keep, nullptr)) continue;
        FoldResult r = finish(std::move(net), target);
        if (!r.fits) continue;
        r.notes.push_back("the first interval, in steps of 1% up from the input stream's " + grouped(source) +
                          " cycles per frame, whose folding fits " + base.device.name + ": " + grouped(target));
        return r;
    }
    throw std::runtime_error("no folding fits the device at any frame rate");
}

std::string folded_yaml(const std::string& base_file, const FoldResult& r, const std::string& header) {
    YAML::Node root = YAML::LoadFile(base_file);
    YAML::Node layers = root["layers"];
    for (size_t i = 0; i < layers.size() && i < r.net.layers.size(); ++i) {
        const LayerConfig& l = r.net.layers[i];
        YAML::Node f(YAML::NodeType::Map);
        f["pe"] = l.folding.pe;
        f["simd"] = l.folding.simd;
        if (l.type == LayerType::Conv) f["mmv"] = l.folding.mmv;
        layers[i]["folding"] = f;
    }
    YAML::Emitter out;
    out << root;
    return header + out.c_str() + "\n";
}

}  // namespace qsim::sweep
