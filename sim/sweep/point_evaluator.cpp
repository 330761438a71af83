#include "sim/sweep/point_evaluator.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <vector>

#include "models/accelerator/dataflow_doubts.hpp"
#include "models/accelerator/dataflow_timing.hpp"
#include "models/network/fifo_sites.hpp"
#include "models/resources/resource_model.hpp"
#include "models/resources/rule_text.hpp"
#include "sim/design/derive.hpp"
#include "sim/design/overrides.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace qsim::sweep {

namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
// The most cached section combinations and derived layers: past them the caches start again
// (a sweep whose points share little would otherwise hold a design per point).
constexpr size_t kMaxSections = 256;

struct KeyHash {
    size_t operator()(const std::vector<uint32_t>& k) const {
        uint64_t h = 0x9e3779b97f4a7c15ull ^ k.size();
        for (uint32_t v : k) h = (h ^ v) * 0x100000001b3ull + (h >> 29);
        return size_t(h);
    }
};
using KeyMap = std::unordered_map<std::vector<uint32_t>, uint32_t, KeyHash>;

// Values interned to small ids, so that keys are short vectors of integers.
template <class T>
class Interner {
public:
    uint32_t id(const T& value, const std::vector<uint32_t>& key) {
        auto [it, added] = ids_.emplace(key, uint32_t(values_.size()));
        if (added) values_.push_back(value);
        return it->second;
    }
    const T& operator[](uint32_t id) const { return values_[id]; }

private:
    KeyMap ids_;
    std::vector<T> values_;
};

// A field that decides the network's structure (which layer reads which): not cached.
bool structural(const std::string& field) {
    for (const char* f : {"name", "type", "inputs", "input_fifo_depths"}) {
        const std::string s = f;
        if (field == s || field.rfind(s + ".", 0) == 0) return true;
    }
    return false;
}

}  // namespace

struct PointEvaluator::Impl {
    // What derive_layer() made of one combination of what a layer reads.
    struct LayerEntry {
        LayerConfig config;
        std::string reason;  // the violation, formatted; empty when derived
        uint32_t delivered = kNone;
    };
    // A derived layer's share of a point in one resource context.
    struct LayerEstimate {
        uint64_t cycles = 0;   // its slowest block
        std::string role;      // the first block with those cycles
        Resources use;
        PowerTerms power;      // at random data (power_terms)
        uint64_t unit_cycles = 0, swu_cycles = 0;
    };
    // One combination of the section axes' values.
    struct Sections {
        design::NetworkSpec spec;  // the base with those values; layer axes are applied in turn
        NetworkConfig net;         // the sections, and the layers of the last point evaluated with it
        std::vector<uint32_t> held;  // LayerEntry in net.layers[i]
        std::string reason;        // the sections' first violation
        bool whole = false;        // a loopback host: the points go the whole way
        uint32_t input = kNone;    // the network input, interned
        uint32_t context = 0;      // the resource context, interned
        uint64_t source_cycles = 0;
        Resources fixed;           // the input FIFO and the host link
        PowerTerms fixed_power;    // theirs
    };

    const DesignSpace& space;
    const design::NetworkSpec& base;
    const size_t max_layers;
    std::string uncached;
    Counts counts;

    NetworkConfig base_net;                     // the base design: structure and branch FIFO depths
    std::vector<std::vector<int>> inputs;       // inputs_of(i) of every layer
    std::vector<std::vector<size_t>> own_axes;  // per layer, the axes that set its fields (in order)
    std::vector<size_t> section_axes;           // axes on network-level sections
    std::vector<size_t> layer_global_axes;      // of those, the defaults/weights ones
    std::vector<std::vector<std::string>> parse_error;  // [axis][value]: formatted, "" when it parses

    KeyMap section_keys;  // the section axes' values -> sections
    std::vector<std::unique_ptr<Sections>> sections;
    KeyMap layer_keys;  // (layer, defaults/weights values..., own values..., inputs...) -> LayerEntry
    std::vector<LayerEntry> layers;
    std::unordered_map<uint64_t, uint32_t> estimate_keys;  // (LayerEntry, context) -> LayerEstimate
    std::vector<LayerEstimate> estimates;
    Interner<design::LayerInput> delivered;
    Interner<ResourceContext> contexts;

    // Per point, reused.
    std::vector<uint32_t> key, point_layers, point_delivered;
    std::vector<PowerTerms> point_terms;             // a point's power terms (add_power)
    std::vector<uint64_t> point_unit, point_swu;
    std::vector<std::vector<uint32_t>> last_key;  // per layer: the key of the previous point
    std::vector<uint32_t> last_entry;
    std::vector<design::LayerInput> ins;
    std::vector<design::Violation> violations;

    Impl(const DesignSpace& s, const design::NetworkSpec& b, size_t cached_layers)
        : space(s), base(b), max_layers(std::max<size_t>(1, cached_layers)) {
        check_axes(base, space.axes);
        classify_axes();
        if (!uncached.empty()) return;
        const design::Derived d = design::derive_design(base);
        if (!d.ok()) {
            uncached = std::string("the base configuration does not derive (") + base.error(d.violations.front()).what() + ")";
            return;
        }
        base_net = d.design;
        for (size_t i = 0; i < base_net.layers.size(); ++i) inputs.push_back(base_net.inputs_of(i));
        last_key.assign(base_net.layers.size(), {});
        last_entry.assign(base_net.layers.size(), kNone);
        point_layers.resize(base_net.layers.size());
        point_delivered.resize(base_net.layers.size());
        parse_errors();
    }

    void classify_axes() {
        own_axes.assign(base.layers.size(), {});
        for (size_t a = 0; a < space.axes.size(); ++a) {
            const Axis& axis = space.axes[a];
            if (axis.is_param) {
                uncached = "axis " + axis.name + " sets a param (the configuration is read again for each point)";
                return;
            }
            const size_t dot = axis.name.find('.');
            const std::string head = dot == std::string::npos ? axis.name : axis.name.substr(0, dot);
            const std::string field = dot == std::string::npos ? "" : axis.name.substr(dot + 1);
            bool on_layer = false;
            for (size_t i = 0; i < base.layers.size(); ++i)
                if (head == "*" || base.layers[i].name.value == head) {
                    own_axes[i].push_back(a);
                    on_layer = true;
                }
            if (on_layer && structural(field)) {
                uncached = "axis " + axis.name + " changes the network's structure";
                return;
            }
            if (on_layer) continue;
            section_axes.push_back(a);
            if (head == "defaults" || head == "weights") layer_global_axes.push_back(a);
        }
    }

    // Each axis value applied alone: its parse error, if any, as evaluate_point() reports it.
    void parse_errors() {
        for (const Axis& axis : space.axes) {
            design::NetworkSpec spec = base;
            std::vector<std::string> errors;
            for (const std::string& v : axis.values) {
                const auto violation = design::apply_override(spec, axis.name, v, origin(spec, axis, v));
                errors.push_back(violation ? spec.error(*violation).what() : std::string());
            }
            parse_error.push_back(std::move(errors));
        }
    }

    design::Origin origin(design::NetworkSpec& spec, const Axis& axis, const std::string& value) {
        return {spec.add_source(std::string(kSweepAxisOrigin) + " " + axis.name + "=" + value, false), 0, 0};
    }

    Sections& sections_of(const std::vector<uint32_t>& p) {
        key.clear();
        for (size_t a : section_axes) key.push_back(p[a]);
        if (auto it = section_keys.find(key); it != section_keys.end()) return *sections[it->second];
        if (sections.size() >= kMaxSections) forget();
        ++counts.section_derivations;
        section_keys.emplace(key, uint32_t(sections.size()));
        sections.push_back(std::make_unique<Sections>());
        Sections& g = *sections.back();
        g.spec = base;
        for (size_t a : section_axes) {
            const std::string& v = space.axes[a].values[p[a]];
            design::apply_override(g.spec, space.axes[a].name, v, origin(g.spec, space.axes[a], v));
        }
        std::vector<design::Violation> v;
        design::derive_sections(g.spec, g.net, v);
        if (!v.empty()) {
            g.reason = g.spec.error(v.front()).what();
            return g;
        }
        g.net.layers = base_net.layers;
        g.held.assign(g.net.layers.size(), kNone);
        g.whole = g.net.host.enabled && g.net.host.architecture == HostArchitecture::Loopback;
        if (g.whole) return g;
        g.input = intern(design::network_input(g.net.input));
        const ResourceContext ctx = resource_context(g.net);
        const size_t on_chip = g.net.device_layer_count();
        g.context = contexts.id(ctx, {uint32_t(ctx.flow), uint32_t(ctx.bram_ports), uint32_t(on_chip),
                                      intern_text(ctx.family), ctx.ram_style.key()});
        g.source_cycles = source_block(g.net, false).cycles_per_frame;
        const ResourceRulesOff totals_only;
        std::vector<ResourceItem> items;
        const std::vector<FifoSite> fifos = fifo_sites(g.net);
        add_fifo_site_resources(g.net, fifos.front(), ctx, items);
        if (g.net.host.enabled) add_host_link_resources(items);
        for (const ResourceItem& it : items) g.fixed += it.use;
        g.fixed_power = power_terms(g.net, items, LayerActivity{});
        return g;
    }

    // Strings as ids (the device family of a resource context).
    std::vector<std::string> texts;
    uint32_t intern_text(const std::string& t) {
        for (size_t i = 0; i < texts.size(); ++i)
            if (texts[i] == t) return uint32_t(i);
        texts.push_back(t);
        return uint32_t(texts.size() - 1);
    }

    uint32_t intern(const design::LayerInput& in) {
        const std::vector<uint32_t> k = {uint32_t(in.shape.height), uint32_t(in.shape.width), uint32_t(in.shape.channels),
                                         uint32_t(in.encoding),     uint32_t(in.bits),        uint32_t(in.from_input),
                                         intern_text(in.acc_source)};
        return delivered.id(in, k);
    }

    // Layer i of the point: derived from what it reads, or the cached derivation.
    uint32_t layer_entry(Sections& g, size_t i, const std::vector<uint32_t>& p) {
        key.clear();
        key.push_back(uint32_t(i));
        for (size_t a : layer_global_axes) key.push_back(p[a]);
        for (size_t a : own_axes[i]) key.push_back(p[a]);
        for (int from : inputs[i]) key.push_back(from < 0 ? g.input : point_delivered[size_t(from)]);
        if (key == last_key[i]) return last_entry[i];
        uint32_t id;
        if (auto it = layer_keys.find(key); it != layer_keys.end()) {
            id = it->second;
        } else {
            id = derive(g, i, p);
            layer_keys.emplace(key, id);
        }
        last_key[i] = key;
        last_entry[i] = id;
        return id;
    }

    uint32_t derive(Sections& g, size_t i, const std::vector<uint32_t>& p) {
        ++counts.layer_derivations;
        design::NetworkSpec& spec = g.spec;
        // The layer's axes are applied to the sections' specification and taken back after,
        // so that no value (or origin of a section an override marks as given) outlives it.
        bool wildcard = false;
        for (size_t a : own_axes[i]) wildcard = wildcard || space.axes[a].name.rfind("*.", 0) == 0;
        std::vector<design::LayerSpec> saved;
        if (wildcard)
            saved = spec.layers;
        else
            saved.push_back(spec.layers[i]);
        for (size_t a : own_axes[i]) {
            const std::string& v = space.axes[a].values[p[a]];
            design::apply_override(spec, space.axes[a].name, v, origin(spec, space.axes[a], v));
        }
        ins.clear();
        for (int from : inputs[i]) ins.push_back(delivered[from < 0 ? g.input : point_delivered[size_t(from)]]);
        LayerEntry e;
        if (const auto v = design::derive_layer(spec, i, ins, e.config)) {
            e.reason = spec.error(*v).what();
        } else {
            if (spec.layers[i].inputs.given) e.config.inputs = inputs[i];
            e.config.input_fifo_depths = base_net.layers[i].input_fifo_depths;
            e.delivered = intern(design::output_of(e.config, ins.front()));
        }
        if (wildcard)
            spec.layers = std::move(saved);
        else
            spec.layers[i] = std::move(saved.front());
        layers.push_back(std::move(e));
        return uint32_t(layers.size() - 1);
    }

    // Layer i's blocks and resources (their index in estimates); g.net.layers[i] holds its derivation.
    uint32_t estimate(Sections& g, size_t i, uint32_t entry) {
        const uint64_t k = (uint64_t(entry) << 32) | g.context;
        if (auto it = estimate_keys.find(k); it != estimate_keys.end()) return it->second;
        ++counts.layer_estimates;
        LayerEstimate e;
        std::vector<BlockEstimate> blocks;
        append_layer_blocks(g.net, i, false, blocks);
        for (const BlockEstimate& b : blocks)  // the first of the slowest, as estimate_dataflow() picks
            if (e.role.empty() || b.cycles_per_frame > e.cycles) {
                e.role = b.role;
                e.cycles = b.cycles_per_frame;
            }
        if (i < g.net.device_layer_count()) {
            const ResourceRulesOff totals_only;
            std::vector<ResourceItem> items;
            add_layer_resources(g.net, i, contexts[g.context], fifo_sites(g.net), items);
            for (const ResourceItem& it : items) e.use += it.use;
            e.power = power_terms(g.net, items, random_activity(g.net.layers[i]));
            std::tie(e.unit_cycles, e.swu_cycles) = unit_and_swu_cycles(blocks, g.net.layers[i].name);
        }
        estimate_keys.emplace(k, uint32_t(estimates.size()));
        estimates.push_back(std::move(e));
        return uint32_t(estimates.size() - 1);
    }

    // Empties the caches of layers and estimates (and, with `sections`, of sections).
    void forget_layers() {
        layer_keys.clear();
        layers.clear();
        estimate_keys.clear();
        estimates.clear();
        for (auto& k : last_key) k.clear();
        for (auto& g : sections) std::fill(g->held.begin(), g->held.end(), kNone);
    }
    void forget() {
        forget_layers();
        section_keys.clear();
        sections.clear();
    }

    PointResult evaluate(uint64_t index) {
        ++counts.points;
        if (layers.size() >= max_layers) forget_layers();  // between points: no entry is in use
        const std::vector<uint32_t> p = space.point(index);
        if (!uncached.empty()) return whole(index);
        PointResult r;
        r.index = index;
        r.point = space.encode(p);
        for (size_t a = 0; a < p.size(); ++a)
            if (!parse_error[a][p[a]].empty()) return invalid(std::move(r), parse_error[a][p[a]]);
        Sections& g = sections_of(p);
        if (!g.reason.empty()) return invalid(std::move(r), g.reason);
        if (g.whole) return whole(index);
        const size_t n = g.net.layers.size();
        for (size_t i = 0; i < n; ++i) {
            const uint32_t id = layer_entry(g, i, p);
            const LayerEntry& e = layers[id];
            if (!e.reason.empty()) return invalid(std::move(r), e.reason);
            point_layers[i] = id;
            point_delivered[i] = e.delivered;
            if (g.held[i] != id) {
                g.net.layers[i] = e.config;
                g.held[i] = id;
            }
        }
        // Interval and bottleneck as estimate_dataflow() finds them: the first slowest block.
        r.tier = "analytical";
        r.clock_mhz = g.net.device.clock_mhz;
        uint64_t interval = g.source_cycles;
        r.bottleneck = "source";
        size_t slowest = n;  // the layer with the slowest block (n: the source)
        uint32_t slowest_estimate = 0;
        r.resources = g.fixed;
        r.layer_cycles.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const uint32_t k = estimate(g, i, point_layers[i]);
            const LayerEstimate& e = estimates[k];
            if (e.cycles > interval) {
                interval = e.cycles;
                slowest = i;
                slowest_estimate = k;
            }
            r.resources += e.use;
            r.layer_cycles.emplace_back(g.net.layers[i].name, e.cycles);
        }
        if (slowest < n) r.bottleneck = g.net.layers[slowest].name + " " + estimates[slowest_estimate].role;
        violations.clear();
        design::check_network(g.spec, g.net, interval, violations);
        if (!violations.empty()) {
            PointResult bad;
            bad.index = index;
            bad.point = std::move(r.point);
            return invalid(std::move(bad), g.spec.error(violations.front()).what());
        }
        r.interval_cycles = interval;
        r.frames_per_second = interval ? g.net.clock_hz() / double(interval) : 0.0;
        add_doubts(r, estimate_doubts(g.net, interval), g.net.clock_hz());
        const DeviceUse use = device_use(r.resources, g.net.device);
        r.fits = use.fits;
        r.exceeded = use.exceeded;
        point_terms.assign(1, g.fixed_power);
        point_unit.clear();
        point_swu.clear();
        for (size_t i = 0; i < g.net.device_layer_count(); ++i) {
            const LayerEstimate& e = estimates[estimate(g, i, point_layers[i])];
            point_terms.push_back(e.power);
            point_unit.push_back(e.unit_cycles);
            point_swu.push_back(e.swu_cycles);
        }
        add_power(r, g.net, point_terms, point_unit, point_swu);
        return r;
    }

    static PointResult invalid(PointResult r, const std::string& reason) {
        r.valid = false;
        r.reason = reason;
        return r;
    }

    PointResult whole(uint64_t index) {
        ++counts.whole;
        return evaluate_point(space, base, index);
    }
};

PointEvaluator::PointEvaluator(const DesignSpace& space, const design::NetworkSpec& base, size_t cached_layers)
    : impl_(std::make_unique<Impl>(space, base, cached_layers)) {}

PointEvaluator::~PointEvaluator() = default;

PointResult PointEvaluator::evaluate(uint64_t index) { return impl_->evaluate(index); }

const std::string& PointEvaluator::uncached_reason() const { return impl_->uncached; }

const PointEvaluator::Counts& PointEvaluator::counts() const { return impl_->counts; }

}  // namespace qsim::sweep
