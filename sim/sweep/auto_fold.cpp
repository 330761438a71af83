#include "sim/sweep/auto_fold.hpp"

#include "sim/sweep/config_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/common/text_format.hpp"
#include "models/resources/resource_model.hpp"
#include "models/resources/rule_text.hpp"
#include "models/source/source_timing.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/folding_rules.hpp"

namespace qsim::sweep {

namespace {

using design::LayerInput;
using design::NetworkSpec;

// Device-fit mode: each interval tried is this much longer than the last.
constexpr double kFitStep = 1.01;
// With a target, a design that simulates slower is folded again at most this many times.
constexpr int kRefolds = 4;

std::vector<int> divisors(int64_t n) {
    std::vector<int> d;
    for (int64_t i = 1; i <= n && i <= (int64_t(1) << 20); ++i)
        if (n % i == 0) d.push_back(int(i));
    return d;
}

bool is_folding_field(const std::string& field) {
    return field.find(".folding.") != std::string::npos ||
           (field.size() >= 6 && field.rfind(".reuse") == field.size() - 6);
}

// Writes a folding into a layer of the specification, as fold's own choice.
void set_folding(design::LayerSpec& l, const Folding& f, design::Origin at) {
    l.folding.given = true;
    l.folding.pe.set(f.pe, at);
    l.folding.simd.set(f.simd, at);
    l.folding.mmv.set(f.mmv, at);
}

class Folder {
public:
    Folder(NetworkSpec& spec, const std::vector<std::string>& keep) : spec_(spec), keep_(keep) {
        at_ = {spec_.add_source("sim fold", false), 0, 0};
    }

    // Folds every layer (but the kept ones) for interval `target`; false with the failing layer
    // when one cannot reach it. A layer that breaks a rule whatever its folding throws the
    // loader's message.
    bool fold_all(const NetworkConfig& net, uint64_t target, std::string* failing) {
        // What reaches each layer: the outputs of the layers its inputs name (graphs too).
        const LayerInput input = design::network_input(net.input);
        std::vector<LayerInput> outs;
        chain_ = net.is_chain();
        for (size_t i = 0; i < spec_.layers.size(); ++i) {
            std::vector<LayerInput> ins;
            for (int from : net.inputs_of(i)) ins.push_back(from < 0 ? input : outs.at(size_t(from)));
            LayerConfig l;
            const bool kept = std::find(keep_.begin(), keep_.end(), spec_.layers[i].name.value) != keep_.end();
            if (kept) {
                if (auto v = design::derive_layer(spec_, i, ins, l)) throw spec_.error(*v);
            } else if (!fold_layer(i, ins, target, l)) {
                if (failing) *failing = spec_.layers[i].name.value;
                return false;
            }
            outs.push_back(design::output_of(l, ins.front()));
        }
        return true;
    }

private:
    // The layer derived with some folding its geometry allows (its own, else one PE per reuse
    // pass): what the candidates' cycles are estimated from.
    std::optional<LayerConfig> baseline(size_t i, const std::vector<LayerInput>& in) {
        LayerConfig l;
        std::optional<design::Violation> v = design::derive_layer(spec_, i, in, l);
        if (!v) return l;
        if (!is_folding_field(v->field)) throw spec_.error(*v);
        design::LayerSpec saved = spec_.layers[i];
        set_folding(spec_.layers[i], {std::max(1, saved.reuse.value), 1, 1}, at_);
        v = design::derive_layer(spec_, i, in, l);
        spec_.layers[i] = saved;
        if (v && !is_folding_field(v->field)) throw spec_.error(*v);
        return v ? std::nullopt : std::optional<LayerConfig>(l);
    }

    // Whether the layers after i, up to the next compute layer, can take what layer i delivers
    // with some folding (a pruned layer's channel count follows its PE, and the next grouped
    // convolution needs a multiple of its groups). Chains only: in a graph the derivation of
    // the folded design checks the joins.
    bool downstream_accepts(size_t i, LayerInput in) {
        if (!chain_) return true;
        for (size_t j = i + 1; j < spec_.layers.size(); ++j) {
            const std::optional<LayerConfig> l = baseline_or_nothing(j, {in});
            if (!l) return false;
            if (l->is_compute()) return true;
            in = design::output_of(*l, in);
        }
        return true;
    }

    // baseline(), with a rule other than the folding broken reported as nothing instead of thrown.
    std::optional<LayerConfig> baseline_or_nothing(size_t i, const std::vector<LayerInput>& in) {
        try {
            return baseline(i, in);
        } catch (const ConfigError&) {
            return std::nullopt;
        }
    }

    // The cheapest folding of layer i that needs at most `target` cycles per frame, checked by
    // derive_layer(); false when none does.
    bool fold_layer(size_t i, const std::vector<LayerInput>& in, uint64_t target, LayerConfig& out) {
        const std::optional<LayerConfig> base = baseline(i, in);
        if (!base) return false;
        const LayerConfig& b = *base;
        std::vector<int> simds;
        if (b.type == LayerType::Fc) {
            for (int s = 1; s <= 4096 && int64_t(s) <= b.in.elements(); ++s)
                if (b.in.elements() % s == 0) simds.push_back(s);
        } else if (b.is_depthwise()) {
            simds = divisors(int64_t(b.window_area()));  // the vector-vector unit: SIMD over the window
        } else {
            simds = divisors(b.in.channels / b.groups);
        }
        std::vector<int> pes = {1};
        if (b.is_compute()) {
            if (b.is_depthwise()) {
                pes = divisors(b.out.channels);  // PE over the channels
            } else if (b.prune == 0.0 && !b.grow_to_pe) {
                pes = divisors(b.out.channels / b.groups);
            } else {
                pes.clear();
                for (int pe = 1; pe <= b.filters / b.groups; ++pe) pes.push_back(pe);
            }
        }
        const std::vector<int> mmvs = b.type == LayerType::Conv ? divisors(b.out.width) : std::vector<int>{1};
        // Fewest lanes first; ties: the largest SIMD, then the largest PE.
        std::vector<Folding> candidates;
        for (int simd : simds)
            for (int pe : pes)
                for (int mmv : mmvs) candidates.push_back({pe, simd, mmv});
        auto lanes = [](const Folding& f) { return uint64_t(f.pe) * f.simd * f.mmv; };
        std::sort(candidates.begin(), candidates.end(), [&](const Folding& x, const Folding& y) {
            if (lanes(x) != lanes(y)) return lanes(x) < lanes(y);
            if (x.simd != y.simd) return x.simd > y.simd;
            return x.pe > y.pe;
        });
        const design::LayerSpec saved = spec_.layers[i];
        for (const Folding& f : candidates) {
            // A quick estimate from the baseline filters the candidates; derive_layer decides.
            LayerConfig c = b;
            c.folding = f;
            if (c.is_compute()) {
                const int64_t n = derive_output_channels(c, f.pe);
                if (n > c.filters && !c.grow_to_pe) continue;
                if (c.type == LayerType::Fc)
                    c.out = FmShape{1, 1, int(n)};
                else
                    c.out.channels = int(n);
            }
            if (check_folding(c) || check_reuse(c) || layer_cycles_per_frame(c) > target) continue;
            set_folding(spec_.layers[i], f, at_);
            if (!design::derive_layer(spec_, i, in, out) && layer_cycles_per_frame(out) <= target &&
                downstream_accepts(i, design::output_of(out, in.front())))
                return true;
            spec_.layers[i] = saved;
        }
        return false;
    }

    NetworkSpec& spec_;
    const std::vector<std::string>& keep_;
    design::Origin at_;
    bool chain_ = true;
};

FoldResult finish(NetworkSpec spec, uint64_t target) {
    FoldResult r;
    r.net = design::derive_or_throw(spec);
    r.spec = std::move(spec);
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

// The base design, whose every rule but its folding must hold.
NetworkConfig base_design(const NetworkSpec& base) {
    const design::Derived d = design::derive_design(base);
    if (d.ok()) return d.design;
    const design::Violation& v = d.violations.front();
    if (!is_folding_field(v.field)) throw base.error(v);
    // Only the folding is wrong, and fold replaces it: the sections before the layers are valid.
    return d.design;
}

void simulate_into(FoldResult& r, const FoldSimulator& simulate) {
    if (!simulate) return;
    r.sim_interval_cycles = simulate(r);
    r.sim_frames_per_second = r.sim_interval_cycles ? r.net.clock_hz() / double(r.sim_interval_cycles) : 0.0;
}

}  // namespace

FoldResult auto_fold(const NetworkSpec& base, const FoldRequest& request, const FoldSimulator& simulate) {
    const NetworkConfig net = base_design(base);
    if (net.host.enabled && net.host.architecture == HostArchitecture::Loopback)
        throw std::runtime_error("the loopback architecture (host.architecture: loopback) computes every layer on one "
                                 "array of host.loopback.pes PEs: there is no per-layer folding to choose");
    for (const auto& name : request.keep)
        if (net.find_layer(name) == nullptr && std::none_of(base.layers.begin(), base.layers.end(), [&](const auto& l) {
                return l.name.value == name;
            }))
            throw std::runtime_error("--keep " + name + ": no such layer");
    const uint64_t source = source_row_cycles(net.input) * uint64_t(net.input.shape.height);
    if (request.target_fps > 0) {
        // The interval asked for (a frame rate far below a frame per clock-range is clamped).
        const double cycles = std::floor(net.clock_hz() / request.target_fps);
        const uint64_t wanted = cycles >= 9.0e18 ? uint64_t(9'000'000'000'000'000'000ull) : uint64_t(cycles);
        std::vector<std::string> notes;
        uint64_t target = wanted;
        if (target < source) {
            std::ostringstream os;
            os << "the input stream needs " << grouped(source) << " cycles per frame (" << net.input.shape.height
               << " rows x " << source_row_cycles(net.input) << " cycles), more than the " << grouped(target) << " of "
               << request.target_fps << " frames/s at " << net.device.clock_mhz << " MHz: folded for "
               << net.clock_hz() / double(source) << " frames/s instead (a wider input.stream_bits would go faster)";
            notes.push_back(os.str());
            target = source;  // the target stays unreached: `wanted` is what was asked for
        }
        std::optional<FoldResult> best;
        for (int attempt = 0; attempt <= kRefolds; ++attempt) {
            NetworkSpec spec = base;
            std::string failing;
            if (!Folder(spec, request.keep).fold_all(net, target, &failing)) {
                if (best) break;
                throw std::runtime_error("no folding of layer " + failing + " reaches " + grouped(target) +
                                         " cycles per frame");
            }
            FoldResult r = finish(std::move(spec), target);
            simulate_into(r, simulate);
            r.target_reached = double(r.reported_cycles()) <= double(wanted) * 1.01;
            const bool better = !best || r.reported_cycles() < best->reported_cycles();
            if (better) best = std::move(r);
            if (best->target_reached || !simulate || best->sim_interval_cycles <= best->interval_cycles) break;
            // The simulation is slower than the closed form: balance for a shorter interval.
            const double slower = double(best->sim_interval_cycles) / double(best->interval_cycles);
            const uint64_t next = uint64_t(std::floor(double(target) / slower));
            if (next >= target || next < source) break;
            notes.push_back("the folding for " + grouped(target) + " cycles per frame simulates at " +
                            grouped(best->sim_interval_cycles) + ": folded again for " + grouped(next));
            target = next;
        }
        best->notes.insert(best->notes.begin(), notes.begin(), notes.end());
        return std::move(*best);
    }
    // The fastest design that fits. Whether the folding for an interval fits is not monotone in
    // the interval (the fewest lanes do not always mean the fewest block RAMs), so the intervals
    // are scanned from the input stream's upwards in steps of kFitStep and the first folding
    // that fits is taken.
    if (!(net.device.lut || net.device.bram18 || net.device.dsp))
        throw std::runtime_error("without --target-fps the folding is chosen to fit the device, but device '" +
                                 net.device.name + "' has no resource counts; name a device or give --target-fps");
    for (double t = double(source); t < 1e15; t *= kFitStep) {
        NetworkSpec spec = base;
        const uint64_t target = uint64_t(t);
        if (!Folder(spec, request.keep).fold_all(net, target, nullptr)) continue;
        FoldResult r = finish(std::move(spec), target);
        if (!r.fits) continue;
        r.notes.push_back("the first interval, in steps of 1% up from the input stream's " + grouped(source) +
                          " cycles per frame, whose folding fits " + net.device.name + ": " + grouped(target));
        simulate_into(r, simulate);
        return r;
    }
    throw std::runtime_error("no folding fits the device at any frame rate");
}

std::string folded_yaml(const std::string& base_file, const FoldResult& r, const std::string& header,
                        const std::string& out_dir) {
    auto fold = [&](YAML::Node& root) {
        YAML::Node layers = root["layers"];
        for (size_t i = 0; i < layers.size() && i < r.net.layers.size(); ++i) {
            const LayerConfig& l = r.net.layers[i];
            YAML::Node f(YAML::NodeType::Map);
            f["pe"] = l.folding.pe;
            f["simd"] = l.folding.simd;
            if (l.type == LayerType::Conv) f["mmv"] = l.folding.mmv;
            layers[i]["folding"] = f;
        }
    };
    return edited_config_yaml(base_file, r.net, fold, header, out_dir);
}

}  // namespace qsim::sweep
