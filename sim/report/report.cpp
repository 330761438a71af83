#include "sim/report/report.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <string>

#include "models/common/text_format.hpp"
#include "models/common/timing_only.hpp"
#include "models/common/version.hpp"
#include "models/network/weight_file.hpp"
#include "sim/report/power_report.hpp"

namespace qsim {

namespace {

std::string shape(const FmShape& s) {
    return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.channels);
}

// The PEs built (folding.pe / reuse), SIMD and MMV; " rR" when the PEs are reused R times.
std::string folding(const LayerResult& l) {
    std::string s = std::to_string(l.folding.pe / l.reuse) + "/" + std::to_string(l.folding.simd) + "/" +
                    std::to_string(l.folding.mmv);
    if (l.reuse > 1) s += " r" + std::to_string(l.reuse);
    return s;
}

// Where the memories went, per kind: "memories       weights 96 block (384 BRAM18); thresholds
// 768 distributed (7,680 LUT)".
void print_memory_styles(std::ostream& os, const ResourceReport& rep) {
    struct Group {
        std::string kind, style;
        uint64_t copies = 0;
        Resources use;
    };
    std::vector<Group> groups;
    for (const auto& it : rep.items) {
        if (!it.memory || it.memory->style == "registers") continue;
        const MemoryShape& m = *it.memory;
        auto g = std::find_if(groups.begin(), groups.end(),
                              [&](const Group& x) { return x.kind == m.kind && x.style == m.style; });
        if (g == groups.end()) g = groups.insert(groups.end(), Group{m.kind, m.style});
        g->copies += m.copies;
        g->use += it.use;
    }
    if (groups.empty()) return;
    os << "memories      ";
    for (size_t i = 0; i < groups.size(); ++i) {
        const Group& g = groups[i];
        const std::string cost = g.style == "block" ? grouped(g.use.bram18) + " BRAM18"
                                 : g.style == "ultra" ? grouped(g.use.uram) + " URAM"
                                                      : grouped(g.use.lutram) + " LUT";
        os << (i ? "; " : " ") << g.kind << " " << grouped(g.copies) << " " << g.style << " (" << cost << ")";
    }
    os << "\n";
}

void print_resources(std::ostream& os, const RunResult& r) {
    const ResourceReport& rep = r.resources;
    os << "resources (" << (rep.flow == "implementation" ? "after implementation" : "Vivado HLS estimate")
       << "; docs/resources.md): " << rep.scope << "\n"
       << std::left << std::setw(12) << "block" << std::right << std::setw(10) << "LUT" << std::setw(8) << "LUTRAM"
       << std::setw(10) << "FF" << std::setw(9) << "BRAM18" << std::setw(6) << "URAM" << std::setw(7) << "DSP"
       << "   largest part\n";
    auto row = [&](const std::string& label, const Resources& u, const std::string& note) {
        os << std::left << std::setw(12) << label << std::right << std::setw(10) << grouped(u.lut) << std::setw(8)
           << grouped(u.lutram) << std::setw(10) << grouped(u.ff) << std::setw(9) << grouped(u.bram18) << std::setw(6)
           << grouped(u.uram) << std::setw(7) << grouped(u.dsp) << "   " << note << "\n";
    };
    // One row per layer; the parts outside the layers (input FIFO, host link) one row per block.
    auto key = [](const ResourceItem& it) { return it.layer.empty() ? "/" + it.block : it.layer; };
    std::vector<std::string> order;
    for (const auto& it : rep.items)
        if (std::find(order.begin(), order.end(), key(it)) == order.end()) order.push_back(key(it));
    for (const auto& k : order) {
        Resources sum;
        const ResourceItem* big = nullptr;
        for (const auto& it : rep.items) {
            if (key(it) != k) continue;
            sum += it.use;
            if (big == nullptr || it.use.lut + 100 * it.use.bram18 + 100 * it.use.dsp >
                                      big->use.lut + 100 * big->use.bram18 + 100 * big->use.dsp)
                big = &it;
        }
        const std::string label = k == "/fifo" ? "input" : k == "/host_link" ? "host link" : k;
        row(label, sum, big->block + " " + big->part);
    }
    row("total", rep.total, "");
    print_memory_styles(os, rep);
    const DeviceUse& d = rep.device;
    if (!d.known) {
        os << "device         " << r.device << ": no resource counts (generic device)\n";
        return;
    }
    os << "device use     " << r.device << ": LUT " << fmt("%.1f", d.lut_pct) << "%, FF " << fmt("%.1f", d.ff_pct)
       << "%, BRAM18 " << fmt("%.1f", d.bram_pct) << "%, DSP " << fmt("%.1f", d.dsp_pct) << "%";
    if (d.available.lutram) os << ", LUTRAM " << fmt("%.1f", d.lutram_pct) << "%";
    if (d.available.uram) os << ", URAM " << fmt("%.1f", d.uram_pct) << "%";
    if (d.fits) {
        os << ": fits\n";
    } else {
        os << ": DOES NOT FIT\n";
        for (const auto& e : d.exceeded) os << "  exceeded     " << e << "\n";
    }
}

void print_host(std::ostream& os, const RunResult& r) {
    const HostResult& h = r.host;
    os << "\nhost link      PCIe Gen" << h.pcie_generation << " x" << h.pcie_lanes << ", "
       << (h.timing == TimingMode::LooselyTimed ? "loosely timed" : "approximately timed") << ", "
       << to_string(h.architecture) << " architecture";
    if (h.architecture == HostArchitecture::Dataflow)
        os << " (" << h.device_layers << " layers on the FPGA, " << h.host_layers << " on the host)";
    os << "\n";
    if (h.architecture == HostArchitecture::Dataflow)
        os << "weight load    " << fmt("%.1f", h.weight_load_us) << " us for " << h.weight_bytes
           << " bytes over DMA channel 1, before inference\n";
    else
        os << "weights        " << h.weight_bytes << " bytes over DMA channel 1, every layer of every frame\n";
    os << "per frame      PCIe " << fmt("%.1f", h.link_us_per_frame) << " us, accelerator "
       << fmt("%.1f", h.compute_us_per_frame) << " us, host layers " << fmt("%.1f", h.host_us_per_frame)
       << " us: bound by the " << h.bound << "\n"
       << "system rate    " << fmt("%.1f", h.frames_per_second) << " frames/s at the host, latency "
       << fmt("%.1f", h.latency_us) << " us\n"
       << "DMA bytes      in " << h.input_bytes << ", weights " << h.weight_bytes << ", out " << h.output_bytes << "\n"
       << "counters       read back from the register bank: " << h.counter_cycles << " cycles, " << h.counter_frames
       << " frames\n";
    if (h.tlps.present) {
        const HostResult::Tlps& t = h.tlps;
        os << "TLPs           " << grouped(t.write_tlps) << " MWr, " << grouped(t.read_tlps) << " MRd, "
           << grouped(t.completions) << " completions; down wire busy " << fmt("%.1f", t.down_busy_us)
           << " us, up " << fmt("%.1f", t.up_busy_us) << " us; credit stalls " << fmt("%.1f", t.credit_stall_us)
           << " us; credits in use at most " << t.peak_posted << " posted, " << t.peak_non_posted << " non-posted\n";
        os << "windows        ";
        for (size_t i = 0; i < t.windows.size(); ++i) {
            const auto& w = t.windows[i];
            os << (i ? "; " : "") << w.name << " " << grouped(w.tlps) << " TLPs"
               << (w.beats ? ", " + grouped(w.beats) + " beats" : "");
        }
        os << "\n";
    }
    for (const auto& e : h.errors) os << "link error     " << e << "\n";
}

// "204,262 LUT (30.8%), 115,110 FF (8.7%), 944 BRAM18 (21.9%), 1,620 DSP (29.3%): fits the KU115".
std::string resource_summary(const RunResult& r) {
    const Resources& t = r.resources.total;
    const DeviceUse& d = r.resources.device;
    auto part = [&](uint64_t v, const char* what, double pct) {
        return grouped(v) + " " + what + (d.known ? " (" + fmt("%.1f", pct) + "%)" : "");
    };
    std::string s = part(t.lut, "LUT", d.lut_pct) + ", " + part(t.ff, "FF", d.ff_pct) + ", " +
                    part(t.bram18, "BRAM18", d.bram_pct) + ", " + part(t.dsp, "DSP", d.dsp_pct);
    if (t.uram) s += ", " + part(t.uram, "URAM", d.uram_pct);
    if (d.known) s += d.fits ? ": fits the " + r.device : ": does NOT fit the " + r.device;
    return s;
}

// One factor of the host's dequantisation: "0.5", or "per channel, 0.25 .. 2".
std::string per_channel_text(const std::vector<double>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    if (*lo == *hi) return fmt("%g", *lo);
    return "per channel, " + fmt("%g", *lo) + " .. " + fmt("%g", *hi);
}

void print_dataset(std::ostream& os, const DatasetResult& d) {
    os << "dataset        " << d.images << " images of " << d.images_file;
    if (d.dequantised) os << " (classes of the dequantised outputs)";
    if (!d.labels_file.empty())
        os << ": top-1 accuracy " << fmt("%.2f", 100.0 * d.accuracy) << "% (" << d.correct << " of " << d.images
           << " labels)";
    os << "\n";
    if (!d.reference_file.empty()) {
        os << "reference      " << d.reference_matches << " of " << d.reference_compared
           << " predicted classes equal " << d.reference_file
           << (d.reference_matches == d.reference_compared ? "" : ": MISMATCH") << "\n";
        for (const auto& m : d.mismatches) os << "  mismatch     " << m << "\n";
    }
}

nlohmann::json resources_json(const Resources& u) {
    return {{"lut", u.lut},          {"ff", u.ff},   {"bram18", u.bram18}, {"bram36", u.bram36()},
            {"dsp", u.dsp},          {"lutram", u.lutram}, {"uram", u.uram}};
}

}  // namespace

// Ternary and decompressor layers (docs/sparse.md): nonzeros, the bytes of each weight form,
// decoder work ("-" for a layer without a decompressor).
void print_sparse_weights(std::ostream& os, const RunResult& r) {
    bool first = true;
    SparseWeightStats sum;
    int layers = 0;
    auto sizes = [&](const std::string& name, const SparseWeightStats& s) {
        os << std::left << std::setw(12) << name << std::right << std::setw(12) << grouped(s.nonzeros) << std::setw(8)
           << (fmt("%.1f", s.weights ? 100.0 * double(s.weights - s.nonzeros) / double(s.weights) : 0.0) + "%")
           << std::setw(13) << grouped((s.packed_bits + 7) / 8) << std::setw(13) << grouped((s.rle_bits + 7) / 8)
           << std::setw(13) << grouped((s.huffman_bits + 7) / 8);
    };
    for (const auto& l : r.layers) {
        const SparseWeightStats& s = l.sparse;
        if (!s.enabled) continue;
        ++layers;
        sum.weights += s.weights;
        sum.nonzeros += s.nonzeros;
        sum.packed_bits += (s.packed_bits + 7) / 8 * 8;  // each layer's memory in whole bytes
        sum.rle_bits += (s.rle_bits + 7) / 8 * 8;
        sum.huffman_bits += (s.huffman_bits + 7) / 8 * 8;
        if (first)
            os << "sparse weights (thesis ch. 3.2.4; bytes at the layer's delta width b; decoders: clocks and weights per frame)\n"
               << std::left << std::setw(12) << "layer" << std::right << std::setw(12) << "nonzeros" << std::setw(8)
               << "zeros" << std::setw(13) << "2-bit B" << std::setw(13) << "RLE B" << std::setw(13) << "Huffman B"
               << std::setw(4) << "b" << "  decoders read" << std::setw(14) << "clocks/f" << std::setw(14)
               << "weights/f" << "\n";
        first = false;
        sizes(l.name, s);
        os << std::setw(4) << s.delta_bits << "  "
           << std::left << std::setw(13) << (s.decoded ? s.encoding : "-") << std::right << std::setw(14)
           << (s.decoded ? grouped(s.decoder_clocks_per_frame) : "-") << std::setw(14)
           << (s.decoded ? grouped(s.decoded_weights_per_frame) : "-") << "\n";
    }
    if (layers > 1) {
        sizes("total", sum);
        os << "\n";
    }
}

void print_report(std::ostream& os, const RunResult& r, bool timing) {
    os << "network   " << r.network << "  (" << r.config_file << ")\n"
       << "device    " << r.device << " @ " << fmt("%.1f", r.clock_mhz) << " MHz\n"
       << "weights   " << r.weights << (timing_only() ? "  (timing only: no values computed)" : "") << "\n";
    if (r.output.enabled)
        os << "output    dequantised on the host: value = scale x out + offset, scale "
           << per_channel_text(r.output.scale) << ", offset " << per_channel_text(r.output.offset) << "\n";
    os
       << "frames    " << r.frames_completed << " of " << r.frames_requested << " simulated\n\n";

    os << std::left << std::setw(10) << "layer" << std::setw(15) << "type" << std::setw(14) << "datapath"
       << std::setw(15) << "out" << std::setw(12) << "PE/SIMD/MMV" << std::right << std::setw(11) << "est cyc/f"
       << std::setw(11) << "sim busy/f" << std::setw(7) << "busy%" << std::setw(7) << "util%" << std::setw(11)
       << "starved" << std::setw(11) << "blocked" << std::setw(9) << "fifo pk" << std::setw(8) << "swu pk" << "\n";
    for (const auto& l : r.layers) {
        os << std::left << std::setw(10) << l.name << std::setw(15) << l.type << std::setw(14)
           << (l.datapath.empty() ? "-" : l.datapath) << std::setw(15) << shape(l.out) << std::setw(12)
           << folding(l) << std::right << std::setw(11) << l.estimate_per_frame << std::setw(11)
           << l.busy_per_frame << std::setw(7) << fmt("%.1f", 100.0 * l.busy_fraction) << std::setw(7)
           << fmt("%.1f", 100.0 * l.pe_utilization) << std::setw(11) << l.starved_cycles << std::setw(11)
           << l.blocked_cycles << std::setw(9)
           << (std::to_string(l.fifo_peak) + "/" + std::to_string(l.fifo_depth)) << std::setw(8)
           << (l.swu_buffer_rows ? std::to_string(l.swu_peak_rows) + "/" + std::to_string(l.swu_buffer_rows) : "-")
           << "\n";
    }
    os << "(est = analytical cycles per frame of the layer's MVTU/pool unit; busy/util over the network interval;\n"
          " starved/blocked = cycles the unit waited for input / for space, whole run; fifo pk = peak/depth rows;\n"
          " PE/SIMD/MMV: the PEs built, rR = each reused R times)\n\n";
    print_resources(os, r);
    print_sparse_weights(os, r);
    os << "\n";
    if (!r.deadlock && r.power.modelled) {
        print_power(os, r.power);
        os << "\n";
    }

    if (r.deadlock) {
        std::string kind = r.stall_kind;
        for (char& c : kind) c = char(std::toupper(static_cast<unsigned char>(c)));
        os << kind << ": the pipeline stopped after " << r.frames_completed << " of " << r.frames_requested
           << " frames; the watchdog (run.watchdog_cycles = " << r.watchdog_cycles << ") fired at cycle "
           << r.stall_cycle << ".\n";
        for (const auto& line : r.deadlock_report) os << "  " << line << "\n";
        return;
    }
    os << "interval       " << r.interval_cycles << " cycles/frame (simulated), " << r.estimate_interval_cycles
       << " (analytical)\n"
       << "throughput     " << fmt("%.1f", r.frames_per_second) << " frames/s at " << fmt("%.1f", r.clock_mhz)
       << " MHz (analytical " << fmt("%.1f", r.estimate_frames_per_second) << ")\n"
       << "resources      " << resource_summary(r) << "\n";
    if (r.power.modelled) os << "power          " << power_summary(r.power) << "\n";
    if (r.dataset.enabled) print_dataset(os, r.dataset);
    os
       << "latency        " << r.latency_cycles << " cycles = " << fmt("%.1f", r.latency_us) << " us (first frame)\n"
       << "bottleneck     " << r.bottleneck_block << ": " << r.bottleneck_reason << "\n";
    if (timing)
        os << "simulation     " << r.total_cycles << " cycles in " << fmt("%.3f", r.wall_seconds) << " s wall ("
           << fmt("%.3f", r.wall_seconds_per_frame) << " s/frame, " << fmt("%.0f", r.cycles_per_wall_second)
           << " cycles/s), peak memory " << fmt("%.1f", r.peak_memory_mb) << " MB\n";
    if (r.host.enabled) print_host(os, r);
    if (r.check.done)
        os << "golden check   " << (r.check.passed ? "PASS: " : "FAIL: ") << r.check.message << "\n";
    if (r.expect.done) os << "expect         " << expect_summary(r.expect) << "\n";
}

nlohmann::json report_json(const RunResult& r, const nlohmann::json& effective_config, bool timing) {
    using nlohmann::json;
    json j;
    // What reads a report checks these first: the layout below is schema 1 (README, --report);
    // a field's meaning never changes within a schema.
    j["schema_version"] = kReportSchemaVersion;
    j["tool"] = std::string("sim ") + version();
    j["network"] = r.network;
    j["config_file"] = r.config_file;
    j["device"] = {{"name", r.device}, {"clock_mhz", r.clock_mhz}};
    j["weights"] = r.weights;
    if (timing_only()) j["timing_only"] = true;  // no values were computed: the outputs are zeros
    j["frames"] = {{"requested", r.frames_requested}, {"completed", r.frames_completed}};
    // CRC-32 of the final output codes (little-endian int32, frame after frame), so runs can be
    // compared without storing the outputs (RunResult::outputs_crc32, taken as they come).
    j["outputs"] = {{"frames", r.output_frames}, {"crc32", r.outputs_crc32}};
    j["deadlock"] = r.deadlock;
    if (r.deadlock)
        j["stall"] = {{"kind", r.stall_kind},
                      {"cycle", r.stall_cycle},
                      {"watchdog_cycles", r.watchdog_cycles},
                      {"diagnosis", r.deadlock_report}};
    j["performance"] = {
        {"interval_cycles", r.interval_cycles},
        {"frames_per_second", r.frames_per_second},
        {"estimate_interval_cycles", r.estimate_interval_cycles},
        {"estimate_frames_per_second", r.estimate_frames_per_second},
        {"latency_cycles", r.latency_cycles},
        {"latency_us", r.latency_us},
        {"total_cycles", r.total_cycles},
        {"bottleneck", {{"block", r.bottleneck_block}, {"layer", r.bottleneck_layer}, {"reason", r.bottleneck_reason}}}};
    if (timing)
        j["simulation"] = {{"wall_seconds", r.wall_seconds},
                           {"wall_seconds_per_frame", r.wall_seconds_per_frame},
                           {"cycles_per_wall_second", r.cycles_per_wall_second},
                           {"peak_memory_mb", r.peak_memory_mb}};
    json layers = json::array();
    for (const auto& l : r.layers) {
        json jl = {{"name", l.name},
                   {"type", l.type},
                   {"in", {l.in.height, l.in.width, l.in.channels}},
                   {"out", {l.out.height, l.out.width, l.out.channels}},
                   {"folding", {{"pe", l.folding.pe}, {"simd", l.folding.simd}, {"mmv", l.folding.mmv}}},
                   {"reuse", l.reuse},
                   {"physical_pe", l.folding.pe / l.reuse},
                   {"ops_per_frame", l.ops_per_frame},
                   {"estimate_cycles_per_frame", l.estimate_per_frame},
                   {"busy_cycles_per_frame", l.busy_per_frame},
                   {"interval_cycles", l.interval_cycles},
                   {"stall_cycles", {{"starved", l.starved_cycles}, {"blocked", l.blocked_cycles}}},
                   {"fifo", {{"peak_rows", l.fifo_peak}, {"depth_rows", l.fifo_depth}}},
                   {"busy_fraction", l.busy_fraction},
                   {"pe_utilization", l.pe_utilization}};
        if (!l.datapath.empty()) jl["datapath"] = l.datapath;
        if (!l.branches.empty()) {
            nlohmann::json b = nlohmann::json::array();
            for (const auto& br : l.branches)
                b.push_back({{"reader", br.reader}, {"peak_rows", br.peak}, {"depth_rows", br.depth}});
            jl["fork"] = b;
        }
        if (l.reuse > 1)
            jl["ofm_buffer"] = {{"peak_values", l.ofm_peak_values}, {"capacity_values", l.ofm_capacity_values}};
        jl["resources"] = resources_json(r.resources.layer_total(l.name));
        if (l.operand_activity.bits > 0 || l.weight_activity.bits > 0) jl["activity"] = activity_json(l);
        if (l.sparse.enabled)
            jl["sparse_weights"] = {{"decompressor", l.sparse.decoded},
                                    {"encoding", l.sparse.encoding},
                                    {"delta_bits", l.sparse.delta_bits},
                                    {"weights", l.sparse.weights},
                                    {"nonzeros", l.sparse.nonzeros},
                                    {"packed_bytes", (l.sparse.packed_bits + 7) / 8},
                                    {"rle_bytes", (l.sparse.rle_bits + 7) / 8},
                                    {"huffman_bytes", (l.sparse.huffman_bits + 7) / 8},
                                    {"decoder_clocks_per_frame", l.sparse.decoder_clocks_per_frame},
                                    {"decoded_weights_per_frame", l.sparse.decoded_weights_per_frame}};
        if (l.swu_buffer_rows > 0)
            jl["swu"] = {{"write_busy_cycles_per_frame", l.swu_write_busy_per_frame},
                         {"read_busy_cycles_per_frame", l.swu_read_busy_per_frame},
                         {"starved_cycles", l.swu_starved_cycles},
                         {"blocked_cycles", l.swu_blocked_cycles},
                         {"peak_rows", l.swu_peak_rows},
                         {"buffer_rows", l.swu_buffer_rows}};
        layers.push_back(jl);
    }
    j["layers"] = layers;
    j["input_fifo"] = {{"peak_rows", r.input_fifo_peak}, {"depth_rows", r.input_fifo_depth}};
    {
        const ResourceReport& rep = r.resources;
        json items = json::array();
        for (const auto& it : rep.items) {
            json ji = resources_json(it.use);
            ji["layer"] = it.layer;
            ji["block"] = it.block;
            ji["part"] = it.part;
            ji["rule"] = it.rule;
            if (it.memory) {
                const MemoryShape& m = *it.memory;
                ji["memory"] = {{"copies", m.copies},
                                {"depth", m.depth},
                                {"width", m.width},
                                {"ports", to_string(m.true_dual ? BramPorts::TrueDual : BramPorts::SimpleDual)},
                                {"bram18_each", m.bram18_each},
                                {"bram18_rows", m.rows},
                                {"bram18_cols", m.cols},
                                {"aspect", {m.aspect_depth, m.aspect_width}},
                                {"kind", m.kind},
                                {"style", m.style},
                                {"requested", m.requested},
                                {"lut_each", m.lut_each},
                                {"uram_each", m.uram_each}};
            }
            items.push_back(ji);
        }
        json dev = {{"known", rep.device.known}};
        if (rep.device.known)
            dev.update({{"available", resources_json(rep.device.available)},
                        {"percent", {{"lut", rep.device.lut_pct}, {"ff", rep.device.ff_pct},
                                     {"bram18", rep.device.bram_pct}, {"dsp", rep.device.dsp_pct},
                                     {"lutram", rep.device.lutram_pct}, {"uram", rep.device.uram_pct}}},
                        {"fits", rep.device.fits},
                        {"exceeded", rep.device.exceeded}});
        j["resources"] = {{"flow", rep.flow},   {"scope", rep.scope},   {"modelled", rep.modelled},
                          {"total", resources_json(rep.total)}, {"device", dev}, {"items", items}};
    }
    if (!r.deadlock) j["power"] = power_json(r.power);
    json blocks = json::array();
    for (const auto& b : r.blocks)
        blocks.push_back({{"name", b.name},
                          {"layer", b.layer},
                          {"role", b.role},
                          {"busy_cycles", b.busy_cycles},
                          {"starved_cycles", b.starved_cycles},
                          {"blocked_cycles", b.blocked_cycles},
                          {"estimate_cycles_per_frame", b.estimate_per_frame},
                          {"rule", b.rule}});
    j["blocks"] = blocks;
    if (r.host.enabled) {
        const HostResult& h = r.host;
        j["host"] = {{"architecture", to_string(h.architecture)},
                     {"timing", to_string(h.timing)},
                     {"pcie", {{"generation", h.pcie_generation}, {"lanes", h.pcie_lanes}}},
                     {"device_layers", h.device_layers},
                     {"weight_load_us", h.weight_load_us},
                     {"dma_bytes", {{"input", h.input_bytes}, {"weights", h.weight_bytes}, {"output", h.output_bytes}}},
                     {"per_frame_us", {{"link", h.link_us_per_frame}, {"accelerator", h.compute_us_per_frame},
                                       {"host", h.host_us_per_frame}}},
                     {"bound", h.bound},
                     {"frames_per_second", h.frames_per_second},
                     {"latency_us", h.latency_us},
                     {"counters", {{"cycles", h.counter_cycles}, {"frames", h.counter_frames}}},
                     {"errors", h.errors}};
        if (h.tlps.present) {
            const HostResult::Tlps& t = h.tlps;
            nlohmann::json windows = nlohmann::json::array();
            for (const auto& w : t.windows)
                windows.push_back({{"name", w.name}, {"tlps", w.tlps}, {"beats", w.beats}, {"bytes", w.bytes}});
            j["host"]["tlps"] = {{"write", t.write_tlps},
                                 {"read", t.read_tlps},
                                 {"completions", t.completions},
                                 {"down_busy_us", t.down_busy_us},
                                 {"up_busy_us", t.up_busy_us},
                                 {"credit_stall_us", t.credit_stall_us},
                                 {"peak_credits", {{"posted", t.peak_posted}, {"non_posted", t.peak_non_posted}}},
                                 {"windows", windows}};
        }
    }
    if (r.check.done)
        j["check"] = {{"passed", r.check.passed}, {"values_compared", r.check.values_compared}, {"message", r.check.message}};
    if (r.expect.done) {
        const ExpectResult& e = r.expect;
        nlohmann::json first = nullptr;
        if (e.first)
            first = {{"frame", e.first->frame},       {"y", e.first->y},
                     {"x", e.first->x},               {"channel", e.first->channel},
                     {"expected", e.first->expected}, {"simulated", e.first->simulated}};
        j["expect"] = {{"file", e.file},
                       {"passed", e.passed},
                       {"frames", e.frames},
                       {"values_per_frame", e.values_per_frame},
                       {"values", e.values},
                       {"mismatches", e.mismatches},
                       {"first_mismatch", first}};
        if (!e.problem.empty()) j["expect"]["problem"] = e.problem;
    }
    if (r.dataset.enabled) {
        const DatasetResult& d = r.dataset;
        j["dataset"] = {{"images_file", d.images_file}, {"labels_file", d.labels_file}, {"images", d.images},
                        {"correct", d.correct},         {"accuracy", d.accuracy},       {"reference_file", d.reference_file},
                        {"reference_compared", d.reference_compared}, {"reference_matches", d.reference_matches},
                        {"mismatches", d.mismatches}};
        if (d.dequantised) j["dataset"]["dequantised"] = true;
    }
    j["config"] = effective_config;
    return j;
}

}  // namespace qsim
