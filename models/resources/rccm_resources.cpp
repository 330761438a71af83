#include "models/resources/rccm_resources.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "models/common/int_math.hpp"
#include "models/resources/cost_model.hpp"
#include "models/resources/rule_text.hpp"

namespace qsim {

namespace {

// One multiplier of w x a bits per lane: a DSP slice, or a LUT multiplier with `multipliers: lut`.
ResourceItem multiplier_item(const LayerConfig& l, const std::string& block, const std::string& part, uint64_t count,
                             int w, int a, const std::string& what) {
    ResourceItem it{l.name, block, part, {}, ""};
    if (l.multipliers == LayerConfig::Multipliers::Lut) {
        const uint64_t luts = cost::lut_multiplier_luts(w, a);
        it.use.lut = count * luts;
        it.use.ff = count * uint64_t(w + a);
        it.rule = rule_text(count, " x ", what, ": LUT multiplier ", w, "x", a, " bit of ", luts, " LUT");
    } else {
        it.use.dsp = count;
        it.use.ff = count * uint64_t(w + a);
        it.rule = rule_text(count, " x ", what, ": 1 DSP slice");
    }
    return it;
}

int datapath_rank(Datapath d) {
    switch (d) {
        case Datapath::XnorPopcount: return 0;
        case Datapath::AddSub: return 1;
        case Datapath::Rccm: return 2;
        case Datapath::DspMac: return 3;
    }
    return 0;
}

}  // namespace

void add_rccm_datapath_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    const uint64_t simd = uint64_t(l.folding.simd);
    const uint64_t copies = uint64_t(l.physical_pe()) * uint64_t(l.folding.mmv);
    const uint64_t rccm = cost::rccm_multiplier_luts(l);
    const int product = cost::rccm_product_width(l);
    const uint64_t acc = uint64_t(cost::accumulator_bits(l));
    std::string rule;
    if (resource_rules_enabled()) {
        std::ostringstream m;
        m << copies << " x " << simd << " " << rccm_name(l.weights.rccm) << " RCCMs on " << l.in_bits << "-bit "
          << to_string(l.in_encoding) << " input: adders of";
        for (int b : rccm_stage_adder_bits(rccm_circuit(l.weights.rccm),
                                           l.in_encoding == Encoding::Bipolar ? 2 : l.in_bits,
                                           l.in_encoding != Encoding::Unsigned))
            m << " " << b;
        m << " bit = " << rccm << " LUT each (pipelined, as many FFs)";
        rule = m.str();
    }
    items.push_back(
        logic_item(l.name, "mvtu", "rccm multipliers", copies * simd * rccm, copies * simd * rccm, std::move(rule)));
    uint64_t tree;
    if (ctx.flow == ResourceFlow::Implementation) {
        tree = cost::adder_tree_luts(simd, product);
        rule = rule_text(copies, " x tree of ", simd, " products of ", product, " bit, growing 1 bit per level");
    } else {
        tree = (simd - 1) * acc * cost::kLutPerAdderBit;
        rule = rule_text(copies, " x ", simd - 1, " adders x ", acc, " bit (HLS estimate: accumulator width throughout)");
    }
    items.push_back(logic_item(l.name, "mvtu", "adder trees", copies * tree, copies * tree, std::move(rule)));
}

uint64_t fan_in_lanes(const LayerConfig& l) {
    const uint64_t values = uint64_t(l.physical_pe()) * uint64_t(l.folding.mmv);
    const uint64_t sf = std::max<uint64_t>(1, ceil_div(uint64_t(l.fan_in()), uint64_t(l.folding.simd)));
    return std::max<uint64_t>(1, ceil_div(values, sf));
}

void add_fan_in_activation_resources(const LayerConfig& l, const ResourceContext& ctx,
                                     std::vector<ResourceItem>& items) {
    const uint64_t lanes = fan_in_lanes(l);
    const int acc = cost::accumulator_bits(l);
    const bool rccm = l.datapath == Datapath::Rccm;
    const int width = acc + (rccm ? cost::kRccmLambdaBits : 0);  // the value entering the activation
    const uint64_t t = uint64_t(l.thresholds_per_channel());
    const uint64_t channels = ceil_div(uint64_t(l.out.channels), lanes);  // served by each lane
    const std::string lane_text = rule_text(lanes, " lane", lanes > 1 ? "s" : "", " after the fan-in");
    // The parallel-to-serial converter is the accumulators themselves, chained: each accumulator
    // bit's LUT selects between accumulating and taking its neighbour's value (a 2:1 mux in front
    // of the carry chain fits the same LUT, as in the RCCM topologies): no extra logic.
    if (rccm)
        items.push_back(multiplier_item(l, "mvtu", "scale multiplier", lanes, cost::kRccmLambdaBits, acc,
                                        rule_text("lambda_l x accumulator (", lane_text, ")")));
    if (t > 0) {
        const bool constant = l.threshold_storage == LayerConfig::ThresholdStorage::Constant;
        if (!constant) {
            ResourceItem th = memory_item(l.name, "mvtu", "threshold memory", lanes * t, channels, uint64_t(width),
                                          memory_request(l, MemoryKind::Thresholds, ctx));
            th.rule += rule_text("; ", t, " per lane, one entry per channel the lane serves");
            items.push_back(th);
        }
        const uint64_t per_bit = constant ? ceil_div(channels, 32) : 1;
        items.push_back(logic_item(l.name, "mvtu", "threshold comparators",
                                   lanes * t * uint64_t(width) * per_bit * cost::kLutPerComparatorBit,
                                   lanes * uint64_t(l.out_bits),
                                   rule_text(lanes, " x ", t, " x ", width, " bit (", lane_text, ")",
                                             constant ? " against constants" : "")));
    }
    if (l.activation.type == ActivationType::Relu) {
        items.push_back(logic_item(l.name, "mvtu", "requantisation",
                                   lanes * (uint64_t(width) + uint64_t(l.out_bits)) * cost::kLutPerAdderBit,
                                   lanes * uint64_t(l.out_bits),
                                   rule_text(lanes, " x (bias add ", width, " bit + clamp ", l.out_bits, " bit) (",
                                             lane_text, ")")));
        items.push_back(multiplier_item(l, "mvtu", "requantisation multiplier", lanes, cost::kRequantMultiplierBits,
                                        width, rule_text("requantisation multiply (", lane_text, ")")));
    }
}

LayerConfig loopback_engine_layer(const NetworkConfig& net) {
    const int pes = net.host.loopback_pes, simd = net.host.loopback_simd;
    const LayerConfig* widest = nullptr;
    uint64_t words = 1, folds = 1;
    int in_bits = 1, weight_bits = 1;
    for (const auto& l : net.layers) {
        if (!l.is_compute()) continue;
        auto key = [](const LayerConfig& x) {
            return std::make_tuple(datapath_rank(x.datapath), x.weights.bits, x.in_bits, x.thresholds_per_channel());
        };
        if (!widest || key(l) > key(*widest)) widest = &l;
        words = std::max(words, ceil_div(uint64_t(l.fan_in()), uint64_t(simd)));
        folds = std::max(folds, ceil_div(uint64_t(l.out.channels), uint64_t(pes)));
        in_bits = std::max(in_bits, l.in_bits);
        weight_bits = std::max(weight_bits, l.weights.bits);
    }
    if (!widest) throw std::invalid_argument("loopback accelerator: the network has no conv or fc layer");
    LayerConfig e = *widest;
    e.name = "loopback";
    e.type = LayerType::Fc;
    e.groups = 1;
    e.kernel = e.stride = 1;
    e.pad_begin = e.pad_end = 0;
    e.prune = 0;
    e.reuse = 1;
    e.in = FmShape{1, 1, int(words * uint64_t(simd))};
    e.out = FmShape{1, 1, int(folds * uint64_t(pes))};
    e.in_bits = in_bits;
    if (e.weights.quant != WeightQuant::Rccm) e.weights.bits = weight_bits;
    e.folding = Folding{pes, simd, 1};
    return e;
}

void add_loopback_resources(const NetworkConfig& net, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    const LayerConfig e = loopback_engine_layer(net);
    add_mvtu_resources(e, ctx, items);
    // The feature buffer: K + S input rows of the layer that needs the most, as an SWU line buffer.
    uint64_t best_bits = 0;
    const LayerConfig* buffered = nullptr;
    bool pooling = false;
    for (const auto& l : net.layers) {
        pooling = pooling || !l.is_compute();
        if (!l.uses_swu()) continue;
        const uint64_t bits = uint64_t(l.kernel + l.stride) * uint64_t(l.in.width) * uint64_t(l.in.channels) *
                              uint64_t(l.in_bits);
        if (bits > best_bits) {
            best_bits = bits;
            buffered = &l;
        }
    }
    const uint64_t simd = uint64_t(net.host.loopback_simd);
    if (buffered) {
        const LayerConfig& l = *buffered;
        const uint64_t depth = uint64_t(l.kernel + l.stride) * uint64_t(l.in.width) * ceil_div(l.in.channels, simd);
        ResourceItem buf = memory_item("loopback", "feature_buffer", "line buffer", 1, depth, simd * uint64_t(l.in_bits),
                                       {MemoryKind::LineBuffers, ctx.ram_style.of(MemoryKind::LineBuffers), ctx.bram_ports});
        buf.rule += rule_text("; ", l.kernel + l.stride, " input rows of ", l.name);
        items.push_back(buf);
    }
    if (pooling) {
        const uint64_t lanes = uint64_t(net.host.loopback_pes), bits = uint64_t(e.in_bits);
        items.push_back(logic_item("loopback", "pool", "max units", lanes * bits * (cost::kLutPerComparatorBit + 1),
                                   lanes * bits,
                                   rule_text(lanes, " lanes x ", bits, " bit (compare + select)")));
    }
}

}  // namespace qsim
