#include "models/resources/block_resources.hpp"

#include <algorithm>
#include <sstream>

#include "models/common/int_math.hpp"
#include "models/eltwise/add_timing.hpp"
#include "models/resources/bram_mapping.hpp"
#include "models/resources/cost_model.hpp"
#include "models/resources/memory_placement.hpp"
#include "models/resources/sparse_resources.hpp"
#include "models/resources/rccm_resources.hpp"
#include "models/resources/rule_text.hpp"
#include "models/swu/swu_timing.hpp"

namespace qsim {

using cost::counter_bits;

MemoryRequest memory_request(const LayerConfig& l, MemoryKind kind, const ResourceContext& ctx) {
    return {kind, l.ram_style.of(kind, ctx.ram_style.of(kind)), ctx.bram_ports};
}

ResourceItem memory_item(std::string layer, std::string block, std::string part,
                         uint64_t copies, uint64_t depth, uint64_t width, const MemoryRequest& req) {
    const MemoryPlacement p = place_memory(depth, width, req);
    ResourceItem it{std::move(layer), std::move(block), std::move(part), {}, ""};
    it.use.bram18 = copies * p.bram.bram18;
    it.use.ff = copies * p.register_bits;
    it.use.lut = it.use.lutram = copies * p.luts;
    it.use.uram = copies * p.uram;
    MemoryShape m;
    m.copies = copies;
    m.depth = depth;
    m.width = width;
    m.true_dual = req.ports == BramPorts::TrueDual;
    m.bram18_each = p.bram.bram18;
    m.rows = p.bram.rows;
    m.cols = p.bram.cols;
    m.aspect_depth = p.bram.aspect.depth;
    m.aspect_width = p.bram.aspect.width;
    m.kind = to_string(req.kind);
    m.style = to_string(p.impl);
    m.requested = to_string(req.style);
    m.lut_each = p.luts;
    m.uram_each = p.uram;
    it.memory = std::move(m);
    if (resource_rules_enabled()) it.rule = rule_text(copies, " x (", p.describe(req.kind, depth, width), ")");
    return it;
}

ResourceItem logic_item(std::string layer, std::string block, std::string part,
                        uint64_t lut, uint64_t ff, std::string rule) {
    ResourceItem it{std::move(layer), std::move(block), std::move(part), {}, std::move(rule)};
    it.use.lut = lut;
    it.use.ff = ff;
    return it;
}

ResourceItem control_item(std::string layer, std::string block,
                          std::initializer_list<uint64_t> ranges) {
    uint64_t bits = 0;
    for (uint64_t r : ranges) bits += counter_bits(r);
    std::string rule;
    if (resource_rules_enabled()) {
        std::ostringstream os;
        os << "counters over";
        for (uint64_t r : ranges) os << " " << r;
        os << ": " << bits << " bits x " << cost::kLutPerCounterBit << " LUT";
        rule = os.str();
    }
    return logic_item(std::move(layer), std::move(block), "control", bits * cost::kLutPerCounterBit, bits,
                      std::move(rule));
}

void add_swu_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    // The channels it moves a clock (SIMD; a depthwise layer's PE) and the window values.
    const uint64_t simd = uint64_t(swu_channel_lanes(l)), mmv = uint64_t(l.folding.mmv);
    const uint64_t window = swu_window_values_per_cycle(l);
    const uint64_t pixels = uint64_t(l.swu_write_pixels);
    const uint64_t word = pixels * simd * uint64_t(l.in_bits);
    const uint64_t depth = uint64_t(swu_buffer_rows(l)) * ceil_div(l.in.width, pixels) * ceil_div(l.in.channels, simd);
    // One copy per output-pixel lane: each MMV window is read through its own BRAM port.
    ResourceItem buf = memory_item(l.name, "swu", "line buffer", mmv, depth, word,
                                   memory_request(l, MemoryKind::LineBuffers, ctx));
    buf.rule += rule_text("; ", swu_buffer_rows(l), " rows, one copy per MMV lane");
    items.push_back(buf);
    items.push_back(control_item(l.name, "swu",
                                 {uint64_t(l.in.width), uint64_t(l.in.height), uint64_t(l.out.width),
                                  uint64_t(l.kernel), uint64_t(l.kernel_cols()), ceil_div(l.in.channels, simd),
                                  uint64_t(l.reuse)}));
    items.push_back(logic_item(l.name, "swu", "window registers", 0, mmv * window * uint64_t(l.in_bits),
                               rule_text(mmv, " x ", window, " x ", l.in_bits, " bit")));
}

void add_mvtu_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    const uint64_t pe = uint64_t(l.physical_pe()), simd = uint64_t(l.folding.simd), mmv = uint64_t(l.folding.mmv);
    const uint64_t n = uint64_t(l.out.channels);
    const uint64_t nf = ceil_div(n, pe), sf = ceil_div(uint64_t(l.fan_in()), simd);
    const uint64_t copies = pe * mmv;  // PE datapaths: every PE once per output-pixel lane
    const uint64_t acc = uint64_t(cost::accumulator_bits(l));
    const uint64_t t = uint64_t(l.thresholds_per_channel());
    const std::string& name = l.name;

    items.push_back(memory_item(name, "mvtu", "weight memory", pe, sf * nf, simd * uint64_t(l.weights.bits),
                                memory_request(l, MemoryKind::Weights, ctx)));
    const bool constant_thresholds = l.threshold_storage == LayerConfig::ThresholdStorage::Constant;
    const bool per_pe_activation = l.activation_unit == LayerConfig::ActivationUnit::PerPe;
    if (t > 0 && !constant_thresholds && per_pe_activation) {
        // Each of the T comparators of a PE reads its own threshold memory of NF entries.
        ResourceItem th = memory_item(name, "mvtu", "threshold memory", pe * t, nf, acc,
                                      memory_request(l, MemoryKind::Thresholds, ctx));
        th.rule += rule_text("; ", t, " per PE");
        items.push_back(th);
    }
    if (nf > 1 && !l.is_depthwise()) {
        // The input vector is consumed in the first neuron fold and reused from here in the others
        // (a depthwise layer's folds read other channels' windows: nothing to keep).
        ResourceItem ib = memory_item(name, "mvtu", "input buffer", mmv, sf, simd * uint64_t(l.in_bits),
                                      memory_request(l, MemoryKind::LineBuffers, ctx));
        ib.rule += rule_text("; reused over ", nf, " neuron folds");
        items.push_back(ib);
    }

    if (l.datapath == Datapath::Rccm) {
        add_rccm_datapath_resources(l, ctx, items);
    } else if (l.datapath == Datapath::DspMac && l.multipliers == LayerConfig::Multipliers::Lut) {
        // LUT multipliers, then an adder tree over the full products.
        const int w = l.weights.bits + l.in_bits;
        const uint64_t mult = cost::lut_multiplier_luts(l.weights.bits, l.in_bits);
        const uint64_t tree = ctx.flow == ResourceFlow::Implementation ? cost::adder_tree_luts(simd, w)
                                                                       : (simd - 1) * acc * cost::kLutPerAdderBit;
        items.push_back(logic_item(name, "mvtu", "multipliers", copies * (simd * mult + tree),
                                   copies * (simd * uint64_t(w) + tree),
                                   rule_text(copies, " x (", simd, " LUT multipliers ", l.weights.bits, "x", l.in_bits,
                                             " bit of ", mult, " LUT + adder tree ", tree, " LUT)")));
    } else if (l.datapath == Datapath::DspMac) {
        const uint64_t packing = cost::products_per_dsp(l, ctx.family);
        ResourceItem d{name, "mvtu", "multipliers", {}, ""};
        d.use.dsp = ceil_div(pe, packing) * simd * mmv;
        d.rule = rule_text("ceil(PE ", pe, " / ", packing, ") x SIMD ", simd, " x MMV ", mmv,
                           " DSP slices; the SIMD products are summed in the DSP cascade");
        items.push_back(d);
    } else {
        const int w = cost::product_bits(l);
        uint64_t per_pe;
        std::string rule;
        // An XNOR-popcount is one popcount operation in HLS as well, estimated with its widths.
        if (ctx.flow == ResourceFlow::Implementation || l.datapath == Datapath::XnorPopcount) {
            per_pe = cost::adder_tree_luts(simd, w);
            rule = rule_text(copies, " x tree of ", simd, " inputs of ", w, " bit, growing 1 bit per level",
                             l.datapath == Datapath::AddSub ? " (the sign select folds into the adder LUTs)" : "");
        } else {
            // Vivado HLS's estimate sizes every adder at the accumulator's declared width and
            // counts the ADD/SUB sign select as a negation of its own.
            const uint64_t negations = l.datapath == Datapath::AddSub ? simd : 0;
            // A SYQ-scaled layer's MAC tree sums into the sub-dot product of one row/pixel.
            const uint64_t tree_acc = l.scaling_factors() > 0 ? uint64_t(cost::syq_sub_accumulator_bits(l)) : acc;
            per_pe = (simd - 1 + negations) * tree_acc * cost::kLutPerAdderBit;
            rule = rule_text(copies, " x (", simd - 1, " adders",
                             negations ? rule_text(" + ", negations, " negations") : std::string(), ") x ", tree_acc,
                             " bit (HLS estimate: accumulator width throughout)");
        }
        items.push_back(logic_item(name, "mvtu", "adder trees", copies * per_pe, copies * per_pe, std::move(rule)));
    }
    items.push_back(logic_item(name, "mvtu", "accumulators", copies * acc * cost::kLutPerAdderBit, copies * acc,
                               rule_text(copies, " x ", acc, " bit")));
    if (!per_pe_activation) add_fan_in_activation_resources(l, ctx, items);
    if (t > 0 && per_pe_activation) {
        // Constant thresholds: each comparator bit's LUT also selects the constant of the
        // current neuron fold, up to 32 of them (5 select inputs beside the accumulator bit).
        const uint64_t per_bit = constant_thresholds ? ceil_div(nf, 32) : 1;
        items.push_back(logic_item(name, "mvtu", "threshold comparators",
                                   copies * t * acc * per_bit * cost::kLutPerComparatorBit,
                                   copies * uint64_t(l.out_bits),
                                   rule_text(copies, " x ", t, " x ", acc, " bit",
                                             constant_thresholds ? " against constants" : "")));
    }
    if (l.activation.type == ActivationType::Relu && per_pe_activation) {
        // Bias add and clamp in LUTs, the per-layer requantisation multiply on a DSP slice.
        ResourceItem q = logic_item(name, "mvtu", "requantisation",
                                    copies * (acc + uint64_t(l.out_bits)) * cost::kLutPerAdderBit,
                                    copies * uint64_t(l.out_bits),
                                    rule_text(copies, " x (bias add ", acc, " bit + clamp ", l.out_bits,
                                              " bit, 1 DSP multiply)"));
        q.use.dsp = copies;
        items.push_back(q);
    }
    items.push_back(control_item(name, "mvtu", {sf, nf, ceil_div(l.out.width, mmv), uint64_t(l.out.height),
                                                uint64_t(l.reuse)}));
    add_syq_scaling_resources(l, ctx, items);
    add_hls_trip_count_resources(l, ctx, items);
}

void add_pool_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    const uint64_t simd = uint64_t(l.folding.simd), bits = uint64_t(l.in_bits);
    const char* block = l.is_window_pool() ? "pool" : "global_pool";
    if (l.type == LayerType::AvgPool) {
        // An adder tree over the window's K*K values per lane, of the sum's width.
        const uint64_t sum = uint64_t(l.out_bits), area = uint64_t(l.window_area());
        items.push_back(logic_item(l.name, block, "adders", simd * (area - 1) * sum * cost::kLutPerAdderBit, simd * sum,
                                   rule_text(simd, " lanes x ", area - 1, " adders x ", sum, " bit")));
    } else if (l.type == LayerType::GlobalAvgPool) {
        // An adder of the sum's width per lane, and the running sums.
        const uint64_t sum = uint64_t(l.out_bits);
        items.push_back(logic_item(l.name, block, "adders", simd * sum * cost::kLutPerAdderBit, simd * sum,
                                   rule_text(simd, " lanes x ", sum, " bit (accumulate)")));
        items.push_back(memory_item(l.name, block, "running sums", 1, ceil_div(l.in.channels, simd), simd * sum,
                                    memory_request(l, MemoryKind::OfmBuffers, ctx)));
    } else {
        // max(a, b) per lane: a comparator and a 2:1 multiplexer.
        items.push_back(logic_item(l.name, block, "max units", simd * bits * (cost::kLutPerComparatorBit + 1),
                                   simd * bits, rule_text(simd, " lanes x ", bits, " bit (compare + select)")));
        if (l.type == LayerType::GlobalMaxPool)
            items.push_back(
                memory_item(l.name, block, "running maxima", 1, ceil_div(l.in.channels, simd), simd * bits,
                            memory_request(l, MemoryKind::OfmBuffers, ctx)));
    }
    items.push_back(control_item(l.name, block,
                                 {uint64_t(l.out.width), uint64_t(l.out.height), uint64_t(l.window_area()),
                                  ceil_div(l.in.channels, simd)}));
}

void add_adder_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    const uint64_t simd = uint64_t(l.folding.simd), bits = uint64_t(add_sum_bits(l));
    items.push_back(logic_item(l.name, "add", "adders", simd * bits * cost::kLutPerAdderBit, simd * bits,
                               rule_text(simd, " lanes x ", bits, " bit (add + output register)")));
    if (l.activation.type == ActivationType::Relu) {
        // Bias add and clamp in LUTs, the requantisation multiply on a DSP slice, a lane each.
        ResourceItem q = logic_item(l.name, "add", "requantisation", simd * (bits + uint64_t(l.out_bits)) *
                                                                          cost::kLutPerAdderBit,
                                    simd * uint64_t(l.out_bits),
                                    rule_text(simd, " x (bias add ", bits, " bit + clamp ", l.out_bits,
                                              " bit, 1 DSP multiply)"));
        q.use.dsp = simd;
        items.push_back(q);
    }
    if (const uint64_t t = uint64_t(l.thresholds_per_channel()); t > 0 && l.activation.type != ActivationType::None) {
        // The threshold unit after the adder: T comparators a lane, each reading its own
        // threshold memory of one entry per channel fold.
        const uint64_t folds = ceil_div(uint64_t(l.out.channels), simd);
        ResourceItem th = memory_item(l.name, "add", "threshold memory", simd * t, folds, bits,
                                      memory_request(l, MemoryKind::Thresholds, ctx));
        th.rule += rule_text("; ", t, " per lane");
        items.push_back(th);
        items.push_back(logic_item(l.name, "add", "threshold comparators", simd * t * bits * cost::kLutPerComparatorBit,
                                   simd * uint64_t(l.out_bits), rule_text(simd, " x ", t, " x ", bits, " bit")));
    }
    items.push_back(control_item(l.name, "add",
                                 {uint64_t(l.out.width), uint64_t(l.out.height), ceil_div(l.out.channels, simd)}));
}

void add_concat_resources(const LayerConfig& l, std::vector<ResourceItem>& items) {
    const uint64_t word = uint64_t(l.folding.simd) * uint64_t(l.out_bits);
    items.push_back(logic_item(l.name, "concat", "output register", word, word,
                               rule_text(word, " bit word, one 2:1 select per bit")));
    items.push_back(control_item(l.name, "concat",
                                 {uint64_t(l.out.width), uint64_t(l.out.height), ceil_div(l.out.channels, l.folding.simd)}));
}

void add_topk_resources(const LayerConfig& l, std::vector<ResourceItem>& items) {
    // Per lane a sorted list of k (value, index) slots, each with a comparator against the
    // entering value and a 2:1 select to shift down; a comparator tree merges the lanes.
    const uint64_t lanes = uint64_t(l.folding.simd), k = uint64_t(l.top_k);
    const uint64_t value = uint64_t(l.in_encoding == Encoding::Accumulator ? 32 : l.in_bits);
    const uint64_t index = uint64_t(l.out_bits), slot = value + index;
    items.push_back(logic_item(l.name, "topk", "insertion lists",
                               lanes * k * (value * cost::kLutPerComparatorBit + slot), lanes * k * slot,
                               rule_text(lanes, " lanes x ", k, " slots x (", value, " bit compare + ", slot,
                                         " bit shift)")));
    if (lanes > 1)
        items.push_back(logic_item(l.name, "topk", "merge", (lanes - 1) * (value * cost::kLutPerComparatorBit + slot),
                                   slot, rule_text(lanes - 1, " comparators x ", value, " bit")));
    items.push_back(control_item(l.name, "topk", {ceil_div(uint64_t(l.in.channels), lanes), k}));
}

void add_fork_resources(const LayerConfig& l, int branches, std::vector<ResourceItem>& items) {
    // One pixel word a clock, held until every branch has taken it.
    const uint64_t word = uint64_t(l.out.channels) * uint64_t(l.out_bits), n = uint64_t(branches);
    items.push_back(logic_item(l.name, "fork", "duplicator", 2 * n, word + n,
                               rule_text(word, " bit word register, ", n, " branch handshakes")));
}

void add_ofm_buffer_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    if (l.reuse <= 1) return;
    // Written one MVTU output word (PE x MMV codes) per clock in the first R-1 passes, read back
    // the same way in the last: (R-1)/R of the OFM, I x F x F x (R-1)/R values (eq. 4.7).
    const uint64_t r = uint64_t(l.reuse);
    const uint64_t values = uint64_t(l.out.height) * uint64_t(l.out.width) * uint64_t(l.out.channels) / r * (r - 1);
    const uint64_t word = uint64_t(l.physical_pe()) * uint64_t(l.folding.mmv) * uint64_t(l.out_bits);
    ResourceItem it =
        memory_item(l.name, "ofm_buffer", "storage", 1, ceil_div(values * uint64_t(l.out_bits), word), word,
                    memory_request(l, MemoryKind::OfmBuffers, ctx));
    it.rule += rule_text("; ", values, " values of ", l.out_bits, " bit, (R-1)/R = ", r - 1, "/", r,
                         " of the OFM (eq. 4.7)");
    items.push_back(it);
}

void add_fifo_resources(const std::string& layer, int depth_rows, uint64_t row_bits, uint64_t word_bits,
                        std::vector<ResourceItem>& items, BramPorts ports, MemoryStyle style) {
    word_bits = std::max<uint64_t>(1, std::min(word_bits, row_bits));
    if (depth_rows <= 2) {
        // A two-row FIFO of the transaction-level model is the HLS stream between two blocks:
        // a shift-register FIFO a few words deep (one SRL LUT and one output register per bit).
        items.push_back(logic_item(layer, "fifo", "stream", word_bits, word_bits,
                                   rule_text(word_bits, " bit stream, shift-register FIFO")));
        return;
    }
    const uint64_t words = ceil_div(uint64_t(depth_rows) * row_bits, word_bits);
    ResourceItem it = memory_item(layer, "fifo", "buffer", 1, words, word_bits, {MemoryKind::Fifos, style, ports});
    it.rule += rule_text("; ", depth_rows, " rows");
    items.push_back(it);
}

void add_host_link_resources(std::vector<ResourceItem>& items) {
    ResourceItem it{"", "host_link", "PCIe / DMA IP", {},
                    rule_text("published figures of the Alpha Data PCIe IP (ch. 6.7.2)")};
    it.use.dsp = cost::kHostLinkDsp;
    it.use.bram18 = cost::kHostLinkBram18;
    items.push_back(it);
}

}  // namespace qsim
