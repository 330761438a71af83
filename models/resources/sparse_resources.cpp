#include "models/resources/sparse_resources.hpp"

#include <cmath>
#include <sstream>

#include "models/common/int_math.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "models/resources/bram_mapping.hpp"
#include "models/resources/cost_model.hpp"
#include "models/resources/rule_text.hpp"

namespace qsim {

namespace {

uint64_t counter_luts(std::initializer_list<uint64_t> ranges, uint64_t& ff) {
    uint64_t bits = 0;
    for (uint64_t r : ranges) bits += cost::counter_bits(r);
    ff = bits;
    return bits * cost::kLutPerCounterBit;
}

}  // namespace

void add_decompressor_array_resources(const LayerConfig& l, const ResourceContext& ctx,
                                      std::vector<ResourceItem>& items) {
    const uint64_t lanes = uint64_t(decompressor_lanes(l)), pes = uint64_t(decompressor_pes_per_lane(l));
    const uint64_t rows = ceil_div(uint64_t(l.out.channels), lanes);
    const int b = l.decompressor.delta_bits;
    const bool huffman = l.decompressor.encoding == WeightEncoding::Huffman;
    const std::string& name = l.name;

    // Each lane's memory: its rows' expected entries of 1 + b bits (run-length coding; the Huffman
    // stream is no longer than that, so it is sized the same, plus its code table).
    const double per_row = expected_row_entries(l.fan_in(), l.decompressor.expected_density, b);
    const uint64_t entries = uint64_t(std::ceil(double(rows) * per_row - 1e-9));
    ResourceItem mem = memory_item(name, "decompressor", "weight memory", lanes, entries, uint64_t(1 + b),
                                   memory_request(l, MemoryKind::Weights, ctx));
    mem.rule += rule_text("; ", rows, " rows x ", per_row, " expected entries (gamma ", l.decompressor.expected_density,
                          ") of 1 + ", b, " bit per lane");
    items.push_back(mem);
    if (huffman) {
        ResourceItem table = memory_item(name, "decompressor", "code table", lanes, (uint64_t(1) << b) + 2, 16,
                                           memory_request(l, MemoryKind::Weights, ctx));
        table.rule += rule_text("; symbols of the canonical code");
        items.push_back(table);
    }
    const uint64_t dec = huffman ? cost::huffman_decoder_luts() : cost::kRleDecoderLut;
    items.push_back(logic_item(name, "decompressor", "decoder", lanes * dec, lanes * uint64_t(32 + b),
                               rule_text(lanes, " x ", dec, " LUT (",
                                         huffman ? "run-length decoder 112 + barrel shifter + code comparators"
                                                 : "ch. 3.4.1: 112 LUT",
                                         "), address counter and entry register")));

    // The PEs: each holds its own input vector (a window, or one frame of the batch) and adds or
    // subtracts the value at the decoded address.
    const uint64_t copies = lanes * pes;
    const uint64_t acc = uint64_t(cost::accumulator_bits(l));
    ResourceItem ib = memory_item(name, "pe_array", "input buffers", copies, uint64_t(l.fan_in()), uint64_t(l.in_bits),
                                  memory_request(l, MemoryKind::LineBuffers, ctx));
    ib.rule += rule_text("; one per PE, read at the decoded address");
    items.push_back(ib);
    items.push_back(logic_item(name, "pe_array", "accumulators", copies * acc * cost::kLutPerAdderBit, copies * acc,
                               rule_text(copies, " x ", acc, " bit add/sub by the weight's sign")));
    const uint64_t t = uint64_t(l.thresholds_per_channel());
    if (t > 0) {
        const bool constant = l.threshold_storage == LayerConfig::ThresholdStorage::Constant;
        if (!constant) {
            // A lane's P PEs finish the same channel together and share its thresholds.
            ResourceItem th = memory_item(name, "pe_array", "threshold memory", lanes, rows, t * acc,
                                          memory_request(l, MemoryKind::Thresholds, ctx));
            th.rule += rule_text("; one per lane, shared by its PEs");
            items.push_back(th);
        }
        const uint64_t per_bit = constant ? ceil_div(rows, 32) : 1;
        items.push_back(logic_item(name, "pe_array", "threshold comparators",
                                   copies * t * acc * per_bit * cost::kLutPerComparatorBit,
                                   copies * uint64_t(l.out_bits), rule_text(copies, " x ", t, " x ", acc, " bit")));
    }
    if (l.activation.type == ActivationType::Relu) {
        ResourceItem q = logic_item(name, "pe_array", "requantisation", copies * (acc + uint64_t(l.out_bits)),
                                    copies * uint64_t(l.out_bits),
                                    rule_text(copies, " x (bias add + clamp, 1 DSP multiply)"));
        q.use.dsp = copies;
        items.push_back(q);
    }
    uint64_t ff = 0;
    const uint64_t pixel_groups = l.type == LayerType::Conv ? ceil_div(uint64_t(l.out.width), pes) : 1;
    const uint64_t lut = counter_luts({rows, pixel_groups, uint64_t(l.out.height), uint64_t(l.fan_in())}, ff);
    items.push_back(logic_item(name, "pe_array", "control", lut, ff,
                               rule_text("counters over rows, pixel groups, output rows, fan-in")));
    (void)ctx;
}

void add_syq_scaling_resources(const LayerConfig& l, const ResourceContext& ctx, std::vector<ResourceItem>& items) {
    const int factors = l.scaling_factors();
    if (factors == 0) return;
    const uint64_t copies = uint64_t(l.physical_pe()) * uint64_t(l.folding.mmv);
    const int sub = cost::syq_sub_accumulator_bits(l);
    const uint64_t tiles = cost::dsp_tiles(sub, l.scaling.bits + 1, true, ctx.family);
    ResourceItem mul{l.name, "mvtu", "scaling multipliers", {}, ""};
    mul.use.dsp = copies * tiles;
    mul.use.ff = copies * uint64_t(sub + l.scaling.bits);
    mul.rule = rule_text(copies, " x (", sub, " x ", l.scaling.bits, "-bit product: ", tiles, " DSP slice",
                         tiles > 1 ? "s" : "", "), one per PE and MMV lane (Fig. 5.3)");
    items.push_back(mul);
    items.push_back(logic_item(l.name, "mvtu", "sub-dot accumulators", copies * uint64_t(sub) * cost::kLutPerAdderBit,
                               copies * uint64_t(sub), rule_text(copies, " x ", sub, " bit (one row/pixel subgroup)")));
    // The ring counter: the factors in a rotating register, and the fold count of a subgroup
    // that advances it.
    uint64_t ff = 0;
    const uint64_t lut = counter_luts({ceil_div(uint64_t(l.fan_in() / factors), uint64_t(l.folding.simd))}, ff);
    items.push_back(logic_item(l.name, "mvtu", "ring counter", lut, ff + uint64_t(factors) * uint64_t(l.scaling.bits),
                               rule_text(factors, " factors x ", l.scaling.bits,
                                         " bit in a rotating register, advanced every subgroup")));
}

void add_hls_trip_count_resources(const LayerConfig& l, const ResourceContext& ctx,
                                  std::vector<ResourceItem>& items) {
    if (ctx.flow != ResourceFlow::HlsEstimate) return;
    ResourceItem it{l.name, "mvtu", "loop bound multiplier", {}, ""};
    it.use.dsp = cost::dsp_tiles(cost::kHlsTripCountBits, cost::kHlsTripCountBits, false, ctx.family);
    it.rule = rule_text("numReps x NF x SF, a 32 x 32-bit product: ", it.use.dsp,
                        " DSP tiles (HLS estimate of FINN's MVTU)");
    items.push_back(it);
}

}  // namespace qsim
