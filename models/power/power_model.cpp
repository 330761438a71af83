#include "models/power/power_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "models/rccm/rccm_topology.hpp"

namespace qsim {

namespace {

constexpr double kPico = 1e-12;
// Logic outside the data path (link IP, control) toggles at the estimators' default rate.
constexpr double kDefaultToggle = 0.125;

// Ripple stages a product passes through: an RCCM's adders in series, a LUT multiplier's rows
// of partial-product adders (b - 1), one for everything else (XNOR-popcount, add/sub).
int arithmetic_stages(const LayerConfig& l) {
    if (l.datapath == Datapath::Rccm) {
        switch (l.weights.rccm) {
            case RccmKind::Add2: return 2;
            case RccmKind::Add3: return 3;
            case RccmKind::Add4: return 4;
        }
    }
    if (l.datapath == Datapath::DspMac && l.multipliers == LayerConfig::Multipliers::Lut)
        return std::max(1, std::min(l.weights.bits, l.in_bits) - 1);
    return 1;
}

bool is_read_only(const std::string& part) {
    return part.find("weight") != std::string::npos || part.find("threshold") != std::string::npos ||
           part.find("code table") != std::string::npos;
}

bool is_pe_block(const std::string& block) { return block == "mvtu" || block == "pe_array"; }

enum class Duty { Unit, Swu, Always };

// One part's power at duty 1 (clock whatever the duty), and which duty scales the rest.
struct PartPower {
    double clock_w = 0, logic_w = 0, memory_w = 0, dsp_w = 0;
    Duty duty = Duty::Unit;
};

// The compute layer a part's PEs belong to: its own, or for the loopback accelerator the
// first compute layer it runs.
const LayerConfig* layer_of(const NetworkConfig& net, const ResourceItem& it) {
    for (const auto& l : net.layers)
        if (l.name == it.layer || (it.layer == "loopback" && l.is_compute())) return &l;
    return nullptr;
}

PartPower part_power(const NetworkConfig& net, const ResourceItem& it, const LayerActivity& a,
                     const PowerCoefficients& k, double f) {
    const double act = power_calibration().activity;
    PartPower p;
    const bool link = it.block == "host_link";
    p.duty = link ? Duty::Always : it.block == "swu" ? Duty::Swu : Duty::Unit;
    const LayerConfig* lc = is_pe_block(it.block) ? layer_of(net, it) : nullptr;
    const bool pe = lc != nullptr && !it.memory && it.part != "control";
    // A product toggles with either operand, as long as the other is not 0.
    const double pe_toggle = (a.operand_toggle * a.weight_nonzero + a.weight_toggle * a.operand_nonzero) / 2.0;
    const double glitch = pe ? 1.0 + k.glitch_per_stage * (arithmetic_stages(*lc) - 1) : 1.0;
    // The sliding-window unit moves the layer's input, the other blocks its output.
    const double toggle = link ? kDefaultToggle : pe ? pe_toggle * glitch : it.block == "swu" ? a.operand_toggle : a.output_toggle;
    p.clock_w = (double(it.use.ff) * k.clock_pj_per_ff + double(it.use.bram18) * k.clock_pj_per_bram18) * f * kPico;
    // LUTs used as memory (counted in `lut` too) are accessed, not toggled as logic.
    p.logic_w = double(it.use.lut - std::min(it.use.lut, it.use.lutram)) * toggle * f * k.lut_pj_per_toggle * kPico * act;
    // A buffer is written and read; weight and threshold memories are read.
    const double ports = it.memory && !is_read_only(it.part) ? 2.0 : 1.0;
    if (it.use.bram18 > 0) {
        // A deep memory of several BRAM18 rows enables one row an access.
        const double per_clock = it.memory && it.memory->bram18_each > 0
                                     ? double(it.memory->copies * std::max<uint64_t>(1, it.memory->cols))
                                     : double(it.use.bram18) * kDefaultToggle * 2.0;
        p.memory_w += per_clock * ports * f * k.bram18_pj_per_access * kPico * act;
    }
    // Distributed RAM and SRLs: every LUT of the memory each access (an upper bound for RAMs
    // deeper than 64 words, which read one LUT in ceil(depth / 64)); UltraRAM: every block.
    p.memory_w += double(it.use.lutram) * ports * f * k.lutram_pj_per_access * kPico * act;
    p.memory_w += double(it.use.uram) * ports * f * k.uram_pj_per_access * kPico * act;
    if (it.use.dsp > 0) p.dsp_w = double(it.use.dsp) * ((link ? kDefaultToggle : pe_toggle) / 0.5) * f * k.dsp_pj_per_op * kPico * act;
    return p;
}

double signal_j_per_frame(const LayerActivity& a, const PowerCoefficients& k) {
    return a.output_toggle * a.output_bits_per_frame * k.net_pj_per_toggle * kPico * power_calibration().activity;
}

double static_power(const NetworkConfig& net, const PowerCoefficients& k, uint64_t design_lut) {
    // A generic device: one just as large as the design.
    const double luts = net.device.lut > 0 ? double(net.device.lut) : double(design_lut);
    return k.static_w_per_mlut * luts / 1e6 * std::pow(2.0, (net.power.junction_c - 25.0) / k.leakage_doubling_c);
}

double pcie_power(const NetworkConfig& net, const PowerCoefficients& k) {
    return net.host.enabled ? double(net.host.pcie.lanes) * k.pcie_w_per_lane : 0.0;
}

}  // namespace

LayerActivity random_activity(const LayerConfig& l) {
    LayerActivity a;
    a.layer = l.name;
    a.output_bits_per_frame = double(l.out.elements()) * double(l.out_bits);
    return a;
}

PowerReport estimate_power(const NetworkConfig& net, const ResourceReport& res, const PowerInputs& in) {
    PowerReport r;
    r.modelled = res.modelled;
    const PowerCoefficients& k = power_coefficients(net.device.family);
    r.family = k.family + " (" + k.process + ")";
    r.calibration = power_calibration().activity;
    r.clock_hz = in.clock_hz;
    r.frames_per_second = in.frames_per_second;
    r.junction_c = net.power.junction_c;

    std::map<std::string, const LayerActivity*> by_layer;
    for (const auto& a : in.layers) by_layer[a.layer] = &a;
    int measured = 0;
    for (const auto& a : in.layers) measured += a.measured ? 1 : 0;
    r.activity = measured == 0 ? "random data (upper bound)"
                 : measured == int(in.layers.size()) ? "simulated data"
                                                     : "simulated data, random for layers without a measured data path";
    const LayerActivity random;  // a part of no known layer
    std::map<std::pair<std::string, std::string>, size_t> index;
    auto block_of = [&](const std::string& layer, const std::string& block) -> BlockPower& {
        auto it = index.find({layer, block});
        if (it == index.end()) {
            it = index.emplace(std::make_pair(layer, block), r.blocks.size()).first;
            r.blocks.push_back({layer, block});
        }
        return r.blocks[it->second];
    };
    for (const ResourceItem& it : res.items) {
        // The loopback accelerator computes every layer in turn and the input FIFO carries what
        // layer 0 takes: both take the first layer's activity.
        const bool first = it.layer == "loopback" || it.layer.empty();
        const auto found = by_layer.find(it.layer);
        const LayerActivity& a = first && !in.layers.empty() ? in.layers.front()
                                 : found != by_layer.end()    ? *found->second
                                                              : random;
        const PartPower p = part_power(net, it, a, k, in.clock_hz);
        double duty = p.duty == Duty::Always                          ? 1.0
                      : it.layer == "loopback" && in.loopback_duty >= 0 ? in.loopback_duty
                      : p.duty == Duty::Swu && a.swu_duty >= 0          ? a.swu_duty
                                                                        : a.duty;
        duty = std::clamp(duty, 0.0, 1.0);
        BlockPower& b = block_of(it.layer, it.block);
        b.clock_w += p.clock_w;
        b.logic_w += p.logic_w * duty;
        b.memory_w += p.memory_w * duty;
        b.dsp_w += p.dsp_w * duty;
    }
    // The streams between layers: each bit that toggles charges its route.
    for (const auto& a : in.layers)
        if (a.output_bits_per_frame > 0) block_of(a.layer, "stream").signal_w = signal_j_per_frame(a, k) * in.frames_per_second;

    for (const auto& b : r.blocks) {
        r.clock_w += b.clock_w;
        r.logic_w += b.logic_w;
        r.memory_w += b.memory_w;
        r.dsp_w += b.dsp_w;
        r.signal_w += b.signal_w;
    }
    r.dynamic_w = r.clock_w + r.logic_w + r.memory_w + r.dsp_w + r.signal_w;
    r.static_w = static_power(net, k, res.total.lut);
    r.pcie_w = pcie_power(net, k);
    r.ddr_w = double(net.power.ddr_channels) * k.ddr_w_per_channel;
    r.board_extra_w = net.power.board_w;
    r.total_w = r.dynamic_w + r.static_w + r.pcie_w + r.ddr_w + r.board_extra_w;
    if (in.frames_per_second > 0 && r.total_w > 0) {
        r.energy_per_frame_j = r.total_w / in.frames_per_second;
        r.frames_per_joule = in.frames_per_second / r.total_w;
    }
    return r;
}

PowerTerms power_terms(const NetworkConfig& net, const std::vector<ResourceItem>& items, const LayerActivity& a) {
    const PowerCoefficients& k = power_coefficients(net.device.family);
    PowerTerms t;
    for (const ResourceItem& it : items) {
        const PartPower p = part_power(net, it, a, k, 1.0);  // joules per clock
        t.clock_j += p.clock_w;
        const double active = p.logic_w + p.memory_w + p.dsp_w;
        if (p.duty == Duty::Always)
            t.always_j += active;
        else if (p.duty == Duty::Swu)
            t.swu_j += active;
        else
            t.unit_j += active;
    }
    t.signal_j_per_frame = signal_j_per_frame(a, k);
    return t;
}

BoardPower board_power(const NetworkConfig& net, const std::vector<PowerTerms>& terms,
                       const std::vector<double>& unit_duty, const std::vector<double>& swu_duty,
                       double frames_per_second, uint64_t design_lut) {
    const PowerCoefficients& k = power_coefficients(net.device.family);
    const double f = net.clock_hz();
    BoardPower b;
    for (size_t i = 0; i < terms.size(); ++i) {
        const PowerTerms& t = terms[i];
        b.dynamic_w += (t.clock_j + t.always_j + t.unit_j * std::clamp(unit_duty[i], 0.0, 1.0) +
                        t.swu_j * std::clamp(swu_duty[i], 0.0, 1.0)) * f +
                       t.signal_j_per_frame * frames_per_second;
    }
    b.static_w = static_power(net, k, design_lut);
    b.total_w = b.dynamic_w + b.static_w + pcie_power(net, k) + double(net.power.ddr_channels) * k.ddr_w_per_channel +
                net.power.board_w;
    if (frames_per_second > 0 && b.total_w > 0) b.energy_per_frame_j = b.total_w / frames_per_second;
    return b;
}

}  // namespace qsim
