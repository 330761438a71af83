// derive_design(): the network-level sections and the order of the steps. The layers are
// derived in derive_layer.cpp.
#include "sim/design/derive.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

#include "models/accelerator/dataflow_timing.hpp"
#include "sim/design/checker.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/design/resource_rules.hpp"
#include "sim/design/text.hpp"
#include "sim/design/yaml_front_end.hpp"

namespace qsim::design {

namespace {

// The largest clock accepted: the period is simulated in whole femtoseconds (1 fs resolution),
// so 1 THz (1,000 fs) keeps the rounding of the period below 0.05%.
constexpr double kMaxClockMhz = 1e6;

// The entries of a device library, each checked (every entry whenever the library is used).
void check_library(Checker& c, const DeviceLibrarySpec& lib) {
    if (!lib.errors.empty()) {
        const Violation& v = lib.errors.front();
        c.fail(v.field, v.at, v.message);
    }
    if (lib.devices.empty()) c.fail("devices", lib.devices_at.at, "must list at least one device");
    for (const DeviceEntrySpec& e : lib.devices) {
        const std::string path = "devices." + e.name;
        if (!valid_name(e.name))
            c.fail(path, e.name_at, "expected a device name of the characters A-Z a-z 0-9 _ . - (got '" + e.name + "')");
        if (e.name == "generic") c.fail(path, e.name_at, "'generic' is reserved for a device without resource counts");
        c.check_section(device_entry_table(), &e, path, e.at, nullptr);
        if (e.family.value.empty()) c.fail(path + ".family", e.family.at, "must not be empty");
        if (!e.bram18.given && !e.bram36.given) c.fail(path + ".bram18", e.at, "missing required field (or give bram36)");
        if (e.bram36.given) {
            if (e.bram36.value > INT64_MAX / 2) c.fail(path + ".bram36", e.bram36.at, "too large");
            if (e.bram18.given && e.bram18.value != 2 * e.bram36.value)
                c.fail(path + ".bram36", e.bram36.at,
                       "must be half of bram18 = " + std::to_string(e.bram18.value) + " (a BRAM36 is two BRAM18; got " +
                           std::to_string(e.bram36.value) + ")");
        }
        if (e.lutram.given && e.lut.given && e.lutram.value > e.lut.value)
            c.fail(path + ".lutram", e.lutram.at,
                   "must be at most lut = " + std::to_string(e.lut.value) + " (the SLICEM LUTs are a share of them; got " +
                       std::to_string(e.lutram.value) + ")");
    }
}

DeviceConfig derive_device(Checker& c, const NetworkSpec& s) {
    const DeviceSpec& d = s.device;
    if (!d.given) c.fail("device", s.root.at, "missing required field");
    c.check_section(device_table(), &d, "device", d.at, nullptr);
    DeviceConfig out;
    out.name = d.name.value;
    out.clock_mhz = d.clock_mhz.value;
    if (d.name.given && out.name.empty()) c.fail("device.name", d.name.at, "must not be empty");
    if (out.clock_mhz > kMaxClockMhz)
        c.fail("device.clock_mhz", d.clock_mhz.at,
               "must be <= 1000000 (1 THz: the clock period is simulated in whole femtoseconds) (got " +
                   number_text(out.clock_mhz) + ")");
    if (d.library.given && d.library.value.empty())
        c.fail("device.library", d.library.at, "expected a file path, got an empty string");
    // The library is needed when given, or to look a named device up.
    if (!d.library.given && out.name == "generic") return out;
    const DeviceLibrarySpec& lib = s.device_library;
    if (!lib.problem.empty()) {
        if (d.library.given)
            c.fail("device.library", d.library.at, "cannot read device library '" + lib.path + "': " + lib.problem);
        c.fail("device.name", Checker::where(d.name, d.at),
               "cannot look up device '" + out.name + "': cannot read device library '" + lib.path + "': " + lib.problem +
                   " (give device.library, or use name: generic)");
    }
    check_library(c, lib);
    out.library = lib.path;
    if (out.name == "generic") return out;
    std::vector<std::string> known;
    for (const DeviceEntrySpec& e : lib.devices) {
        if (e.name == out.name) {
            out.family = e.family.value;
            out.lut = e.lut.value;
            out.ff = e.ff.value;
            out.bram18 = e.bram18.given ? e.bram18.value : 2 * e.bram36.value;
            out.dsp = e.dsp.value;
            out.lutram = e.lutram.value;
            out.uram = e.uram.value;
            return out;
        }
        known.push_back(e.name);
    }
    c.fail("device.name", Checker::where(d.name, d.at),
           "unknown device '" + out.name + "'; known devices in " + lib.path + ": " + join(known) +
               " (or 'generic' for a device without resource counts)");
}

InputConfig derive_input(Checker& c, const NetworkSpec& s) {
    const InputSpec& in = s.input;
    if (!in.given) c.fail("input", s.root.at, "missing required field");
    c.check_section(input_table(), &in, "input", in.at, nullptr);
    InputConfig out;
    out.shape = {in.height.value, in.width.value, in.channels.value};
    const i128 n = i128(out.shape.height) * out.shape.width * out.shape.channels;
    if (n > INT_MAX)
        c.fail("input", in.at,
               "input feature map of " + std::to_string(out.shape.height) + " x " + std::to_string(out.shape.width) +
                   " x " + std::to_string(out.shape.channels) + " = " + int_text(n) +
                   " values is too large (at most 2147483647 allowed)");
    out.bits = in.bits.value;
    out.is_signed = in.is_signed.value;
    out.stream_bits = in.stream_bits.value;
    out.seed = in.seed.value;
    out.fifo_depth = in.fifo_depth.value;
    return out;
}

WeightSource derive_weights(Checker& c, const NetworkSpec& s) {
    const WeightSourceSpec& w = s.weights;
    WeightSource out;
    if (!w.given) return out;
    if (!w.generator.given && !w.file.given) c.fail("weights", w.at, "expected exactly one of 'generator' or 'file'");
    c.check_section(weight_source_table(), &w, "weights", w.at, nullptr);
    if (w.file.given) {
        if (w.file.value.empty()) c.fail("weights.file", w.file.at, "expected a file path, got an empty string");
        out.kind = WeightSource::Kind::File;
        // A path written in the file is relative to it; one given on the command line
        // (`sim --weights`) to the working directory.
        const bool from_file = w.file.at.known() && s.sources[size_t(w.file.at.source)].file;
        out.path = from_file ? resolve_path(s.base_dir, w.file.value) : w.file.value;
    } else {
        out.seed = w.generator.seed.value;
        out.sparsity = w.generator.sparsity.value;
    }
    return out;
}

HostConfig derive_host(Checker& c, const NetworkSpec& s) {
    const HostSpec& h = s.host;
    HostConfig out;
    if (!h.given) return out;
    c.check_section(host_table(), &h, "host", h.at, nullptr);
    out.enabled = true;
    out.architecture = h.architecture.value;
    out.timing = h.timing.value;
    const int lanes = h.pcie.lanes.value;
    if (lanes & (lanes - 1))
        c.fail("host.pcie.lanes", h.pcie.lanes.at, "expected 1, 2, 4, 8 or 16, got " + std::to_string(lanes));
    out.pcie = {h.pcie.generation.value,     lanes, h.pcie.max_payload_bytes.value, h.pcie.tlp_overhead_bytes.value,
                h.pcie.latency_ns.value, h.pcie.transfer_overhead_ns.value};
    out.dma = {h.dma.stream_bits.value, h.dma.clock_mhz.value};
    out.quantum_ns = h.quantum_ns.value;
    out.host_gops = h.host_gops.value;
    out.loopback_pes = h.loopback.pes.value;
    out.loopback_simd = h.loopback.simd.value;
    out.loopback_clock_mhz = h.loopback.clock_mhz.value;
    return out;
}

RunConfig derive_run(Checker& c, const NetworkSpec& s) {
    const RunSpec& r = s.run;
    if (r.watchdog_cycles.given && r.watchdog_cycles.value == 0)
        c.fail("run.watchdog_cycles", r.watchdog_cycles.at,
               "must be >= 1 (got 0; leave the field out for the limit derived from the design)");
    c.check_section(run_table(), &r, "run", r.at, nullptr);
    return {r.frames.value, r.watchdog_cycles.value};
}

bool parse_int_text(const std::string& t, int64_t& v) {
    if (!is_integer_text(t, true) || t.size() > 12) return false;
    v = std::stoll(t);
    return true;
}

// The layers layer i reads, by index (-1: the network input): its `inputs`, each an earlier
// layer, or the layer before.
std::vector<int> resolve_inputs(Checker& c, const NetworkSpec& s, size_t i) {
    const LayerSpec& ls = s.layers[i];
    const std::string field = "layers[" + std::to_string(i) + "].inputs";
    if (!ls.inputs.given) {
        if (ls.type.value == LayerType::Add || ls.type.value == LayerType::Concat)
            c.fail(field, ls.at,
                   std::string("missing required field: ") +
                       (ls.type.value == LayerType::Add ? "an add layer names the two layers it sums"
                                                        : "a concat layer names the layers it joins"));
        return {int(i) - 1};
    }
    if (i == 0) c.fail(field, ls.inputs.at, "layer 0 reads the network input; leave the field out");
    std::vector<int> out;
    for (const std::string& name : ls.inputs.value) {
        int found = -1;
        for (size_t j = 0; j < s.layers.size(); ++j)
            if (s.layers[j].name.value == name) found = int(j);
        if (found < 0) c.fail(field, ls.inputs.at, "no layer is named '" + name + "'");
        if (found >= int(i))
            c.fail(field, ls.inputs.at,
                   "'" + name + "' is layers[" + std::to_string(found) +
                       "]: a layer reads only layers listed before it (the layers are in dataflow order)");
        if (std::find(out.begin(), out.end(), found) != out.end())
            c.fail(field, ls.inputs.at, "'" + name + "' is named twice");
        out.push_back(found);
    }
    const bool concat = ls.type.value == LayerType::Concat, add = ls.type.value == LayerType::Add;
    if (concat ? out.size() < 2u : out.size() != (add ? 2u : 1u))
        c.fail(field, ls.inputs.at,
               std::string("expected ") +
                   (concat ? "two or more layers (a concat layer joins streams)"
                    : add  ? "two layers (an add layer sums two streams)"
                           : "one layer") +
                   ", got " + std::to_string(out.size()));
    return out;
}

// The rows of each input's branch FIFO (0: the producer's fifo_depth), once every reader is known.
void derive_input_fifos(Checker& c, const NetworkSpec& s, NetworkConfig& net) {
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerSpec& ls = s.layers[i];
        LayerConfig& l = net.layers[i];
        l.input_fifo_depths.assign(net.inputs_of(i).size(), 0);
        if (!ls.input_fifo_depths.given) continue;
        const std::string field = "layers[" + std::to_string(i) + "].input_fifo_depths";
        const Origin at = ls.input_fifo_depths.at;
        const std::vector<int> from = net.inputs_of(i);
        if (ls.input_fifo_depths.value.size() != from.size())
            c.fail(field, at,
                   "expected one depth per input (" + std::to_string(from.size()) + "), got " +
                       std::to_string(ls.input_fifo_depths.value.size()));
        for (size_t k = 0; k < from.size(); ++k) {
            const std::string& text = ls.input_fifo_depths.value[k];
            int64_t v = 0;
            if (!parse_int_text(text, v) || v < 0 || v > INT_MAX)
                c.fail(field, at,
                       "expected an integer >= 0 for input " + std::to_string(k) + " (0: the producer's fifo_depth), got '" +
                           text + "'");
            const std::string producer = from[k] < 0 ? "the network input" : net.layers[size_t(from[k])].name;
            if (v > 0 && (from[k] < 0 || net.readers(size_t(from[k])).size() < 2))
                c.fail(field, at,
                       "input " + std::to_string(k) + " (" + producer +
                           ") does not fork: the FIFO from it is its fifo_depth; give 0 for it (depths are for inputs "
                           "read by several layers)");
            l.input_fifo_depths[k] = int(v);
        }
    }
}

// Every layer with what reaches it; stops at the first layer that breaks a rule.
void derive_layers(Checker& c, const NetworkSpec& s, NetworkConfig& net, std::vector<Violation>& out) {
    if (!s.layers_at.given) c.fail("layers", s.root.at, "missing required field");
    if (s.layers.empty()) c.fail("layers", s.layers_at.at, "must contain at least one layer");
    const LayerInput network = network_input(net.input);
    std::vector<LayerInput> delivered;  // what each layer delivers to its readers
    for (size_t i = 0; i < s.layers.size(); ++i) {
        const std::vector<int> from = resolve_inputs(c, s, i);
        std::vector<LayerInput> ins;
        for (int f : from) ins.push_back(f < 0 ? network : delivered[size_t(f)]);
        LayerConfig l;
        if (auto v = derive_layer(s, i, ins, l)) {
            out.push_back(*v);
            throw Stop{};
        }
        if (s.layers[i].inputs.given) l.inputs = from;
        delivered.push_back(output_of(l, ins.front()));
        net.layers.push_back(std::move(l));
    }
    // Every output but the last is read by a later layer.
    for (size_t i = 0; i + 1 < net.layers.size(); ++i)
        if (net.readers(i).empty())
            c.fail("layers[" + std::to_string(i) + "]", s.layers[i].at,
                   "the output of '" + net.layers[i].name +
                       "' is read by no layer (only the last layer is the network's output; name it in a later "
                       "layer's inputs)");
    derive_input_fifos(c, s, net);
}

// Decompressor and SYQ layers hold their weights from the start (no host link loads them).
void derive_whole_network(Checker& c, const NetworkSpec& s, NetworkConfig& net) {
    if (net.host.enabled && !net.is_chain())
        c.fail("host", s.host.at,
               "a host link takes a chain of layers; this network is a graph (a layer names its inputs): remove the "
               "host section");
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerConfig& l = net.layers[i];
        if (net.host.enabled && l.has_special_unit()) {
            const LayerSpec& ls = s.layers[i];
            const bool dec = l.decompressor.enabled;
            c.fail("layers[" + std::to_string(i) + "]." + (dec ? "decompressor" : "scaling"),
                   dec ? ls.decompressor.at : ls.scaling.at,
                   "not supported with a host: link (the weights of decompressor and SYQ layers are not loaded over "
                   "DMA channel 1); remove the host section or this field");
        }
    }
}

// `output`: the host's dequantisation of the last layer's outputs, one scale and one offset per
// output channel (a single number stands for every channel).
OutputConfig derive_output(Checker& c, const NetworkSpec& s, const NetworkConfig& net) {
    const OutputSpec& o = s.output;
    OutputConfig out;
    if (!o.given) return out;
    c.check_section(output_table(), &o, "output", o.at, nullptr);
    const LayerConfig& last = net.layers.back();
    if (last.type == LayerType::TopK)
        c.fail("output", o.at,
               "the last layer '" + last.name +
                   "' is a topk label select: its outputs are class indices, not values to dequantise; remove the "
                   "output section (or dequantise before the label select)");
    const size_t channels = size_t(last.out.channels);
    auto per_channel = [&](const Given<ListValue>& g, const std::string& field, bool positive) {
        const ListValue& items = g.value;
        const Origin at = Checker::where(g, o.at);
        if (items.size() != 1 && items.size() != channels)
            c.fail(field, at,
                   "expected one number, or one per output channel of the last layer '" + last.name + "' (" +
                       std::to_string(channels) + "), got " + std::to_string(items.size()));
        std::vector<double> v;
        for (size_t i = 0; i < items.size(); ++i) {
            const std::string entry = items.size() > 1 ? "channel " + std::to_string(i) + ": " : "";
            double x = 0;
            if (auto e = parse_number(items[i], "'" + items[i] + "'", x)) c.fail(field, at, entry + *e);
            if (positive && !(x > 0)) c.fail(field, at, entry + "must be > 0 (got " + items[i] + ")");
            v.push_back(x);
        }
        v.resize(channels, v.front());
        return v;
    };
    out.scale = per_channel(o.scale, "output.scale", true);
    out.offset = per_channel(o.offset, "output.offset", false);
    out.encoding = last.out_encoding;
    out.enabled = true;
    return out;
}

// The run must fit SystemC's 64-bit femtosecond clock, the watchdog's wait too.
void check_simulated_time(Checker& c, const NetworkSpec& s, const NetworkConfig& net, uint64_t interval) {
    const Origin run_at = s.run.given ? s.run.at : c.file_start();
    const std::string problem = simulated_time_problem(net, net.run.frames, interval);
    if (!problem.empty()) {
        if (s.run.frames.given) c.fail("run.frames", s.run.frames.at, problem);
        c.fail("run.frames", run_at, problem + " (run.frames defaults to 2)");
    }
    const long double period = clock_period_fs(net);
    if (net.run.watchdog_cycles == 0) {
        // The derived limit (4 x the slowest block's cycles per frame + 10,000, as the
        // accelerator computes it) is one wait of the watchdog and must fit the clock too.
        const long double derived = 4.0L * (long double)interval + 10000.0L;
        if (derived * period > kMaxSimulatedFs)
            c.fail("run.watchdog_cycles", run_at,
                   "the derived watchdog limit (4 x the slowest block's cycles per frame + 10,000 = " +
                       grouped_text(sat_int(derived)) + " cycles) x " + grouped_text(sat_int(period)) +
                       " fs per cycle exceeds SystemC's 64-bit clock (2^63 fs, about 9,223 s); give "
                       "run.watchdog_cycles <= " + grouped_text(sat_int(kMaxSimulatedFs / period)) +
                       " or use a faster clock");
    } else if ((long double)net.run.watchdog_cycles * period > kMaxSimulatedFs) {
        c.fail("run.watchdog_cycles", s.run.watchdog_cycles.at,
               "must be at most " + int_text(sat_int(kMaxSimulatedFs / period)) + " cycles at " +
                   number_text(net.device.clock_mhz) +
                   " MHz: the watchdog's wait must fit SystemC's 64-bit clock (2^63 fs, about 9,223 s) (got " +
                   int_text(i128(net.run.watchdog_cycles)) + ")");
    }
}

}  // namespace

LayerInput network_input(const InputConfig& in) { return {in.shape, in.encoding(), in.bits, "", true}; }

LayerInput output_of(const LayerConfig& l, const LayerInput& in) {
    // A pooling layer passes raw accumulators on; the layer that made them is named in errors.
    return {l.out, l.out_encoding, l.out_bits, l.is_compute() ? l.name : in.acc_source, false};
}

namespace {

// Runs one step of the derivation: a rule it breaks is in `out` (Checker::fail), the step ends.
template <class F>
void step(F&& f) {
    try {
        f();
    } catch (const Stop&) {
    }
}

}  // namespace

void derive_sections(const NetworkSpec& s, NetworkConfig& net, std::vector<Violation>& out) {
    Checker c(s, out);
    net.source_file = s.file;
    // Sections that do not depend on each other are all checked; the layers need them valid.
    step([&] {
        if (!s.name.given) c.fail("name", s.root.at, "missing required field");
        if (s.name.value.empty()) c.fail("name", s.name.at, "must not be empty");
        net.name = s.name.value;
    });
    step([&] { net.device = derive_device(c, s); });
    step([&] { net.input = derive_input(c, s); });
    step([&] { net.weights = derive_weights(c, s); });
    step([&] { net.host = derive_host(c, s); });
    step([&] { net.run = derive_run(c, s); });
    step([&] { c.check_section(defaults_table(), &s.defaults, "defaults", s.defaults.at, nullptr); });
    step([&] {
        c.check_section(resources_table(), &s.resources, "resources", s.resources.at, nullptr);
        net.resources = {s.resources.flow.value, s.resources.bram_ports.value, ram_styles(s.resources.ram_style)};
    });
    step([&] {
        c.check_section(power_table(), &s.power, "power", s.power.at, nullptr);
        net.power = {s.power.junction_c.value, s.power.ddr_channels.value, s.power.board_w.value};
    });
}

void check_network(const NetworkSpec& s, NetworkConfig& net, uint64_t interval_cycles, std::vector<Violation>& out) {
    Checker c(s, out);
    step([&] {
        derive_whole_network(c, s, net);
        check_simulated_time(c, s, net, interval_cycles);
    });
    step([&] { net.output = derive_output(c, s, net); });
}

Derived derive_design(const NetworkSpec& s) {
    Derived d;
    NetworkConfig& net = d.design;
    derive_sections(s, net, d.violations);
    if (!d.ok()) return d;
    step([&] {
        Checker c(s, d.violations);
        derive_layers(c, s, net, d.violations);
    });
    if (!d.ok()) return d;
    check_network(s, net, estimate_dataflow(net, false).interval_cycles, d.violations);
    return d;
}

NetworkConfig derive_or_throw(const NetworkSpec& spec) {
    Derived d = derive_design(spec);
    if (!d.ok()) throw spec.error(d.violations.front());
    return std::move(d.design);
}

}  // namespace qsim::design
