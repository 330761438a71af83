#include "testbenches/cosim/cosim_blocks.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "testbenches/cosim/pe_array_faces.hpp"
#include "testbenches/cosim/rccm_faces.hpp"

// Verilated tops (CMakeLists.txt, section "RTL co-simulation"); the prefix is the block name.
#include "Vpe_array_2x8.h"
#include "Vpe_array_4x32.h"
#include "Vrccm2_comb.h"
#include "Vrccm2_pipe.h"
#include "Vrccm2_pipe_u8.h"
#include "Vrccm3_comb.h"
#include "Vrccm3_pipe.h"
#include "Vrccm3_pipe_u8.h"
#include "Vrccm4_comb.h"
#include "Vrccm4_pipe.h"
#include "Vrccm4_pipe_s16.h"
#include "Vrccm4_pipe_u8.h"

namespace qsim::cosim {

namespace {

const sc_core::sc_time kPeriod(10, sc_core::SC_NS);

BenchConfig bench_config(const RunOptions& o, uint64_t items, uint64_t outputs) {
    BenchConfig c;
    c.items = items;
    c.rate = Pattern::parse(o.rate, o.seed * 2 + 1);
    c.ready = Pattern::parse(o.ready, o.seed * 2 + 2);
    if (o.cycles > 0) {
        c.expected_outputs = 0;
        c.max_cycles = o.cycles;
        c.stop_at_mismatch = false;
    } else {
        c.expected_outputs = outputs;
        // Generous: every item at the worst rate and backpressure, plus the pipeline.
        const double duty = std::max(0.01, std::min(c.rate.duty(), c.ready.duty()));
        c.max_cycles = uint64_t(double(items) / duty * 4.0) + 10000;
    }
    return c;
}

template <class Out>
RunReport finish(Bench<Out>& bench, const std::vector<const Side<Out>*>& sides, const RunOptions& o, RunReport r) {
    sc_core::sc_trace_file* tf = nullptr;
    if (!o.vcd.empty()) {
        std::string base = o.vcd;
        if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
        tf = sc_core::sc_create_vcd_trace_file(base.c_str());
        tf->set_time_unit(1, sc_core::SC_NS);
        for (const Side<Out>* s : sides) s->trace(tf);
    }
    std::ofstream csv;
    if (!o.per_cycle.empty()) {
        csv.open(o.per_cycle);
        if (!csv) throw std::runtime_error("cannot write " + o.per_cycle);
        csv << "cycle,in_valid,in_ready,out_valid,out_ready,taken_output\n";
        bench.set_cycle_hook([&csv](uint64_t c, bool iv, bool ir, bool ov, bool orr, const Out* out) {
            csv << c << ',' << iv << ',' << ir << ',' << ov << ',' << orr << ',';
            if (out) {
                if constexpr (std::is_same_v<Out, PeOut>) csv << '"' << format_pe(*out) << '"';
                else csv << *out;
            }
            csv << '\n';
        });
    }
    r.bench = bench.run(kPeriod);
    if (tf) sc_core::sc_close_vcd_trace_file(tf);
    return r;
}

bool want(const RunOptions& o, const char* side) { return o.sides == "both" || o.sides == side; }

template <class V>
RunReport run_rccm(const BlockInfo& b, const RunOptions& o) {
    RunReport r;
    r.block = b;
    const std::vector<RccmItem> items = rccm_stimulus(b, o, r.stimulus_summary);
    r.items = items.size();
    r.expected_outputs = items.size();
    RccmModelConfig mc{b.rccm, b.pipelined, b.input_bits, b.input_signed, o.mutation};
    r.latency = b.pipelined ? rccm_pipeline_latency(rccm_circuit(b.rccm)) : 0;
    sc_core::sc_clock clk("clk", kPeriod);
    std::unique_ptr<RccmModelSide> model;
    std::unique_ptr<RccmRtlSide<V>> rtl;
    std::vector<Side<int64_t>*> sides;
    std::vector<const Side<int64_t>*> csides;
    std::vector<std::string> names;
    if (want(o, "model")) {
        model = std::make_unique<RccmModelSide>("model", mc, items, clk);
        sides.push_back(model.get());
        names.push_back("model");
    }
    if (want(o, "rtl")) {
        rtl = std::make_unique<RccmRtlSide<V>>("rtl", b.input_bits, items, clk);
        sides.push_back(rtl.get());
        names.push_back("RTL");
    }
    for (auto* s : sides) csides.push_back(s);
    const uint32_t mask = (uint32_t(1) << rccm_select_bits(b.rccm)) - 1;
    Bench<int64_t> bench(
        "bench", bench_config(o, items.size(), items.size()), sides, names,
        [](const int64_t& y) { return std::to_string(y); },
        [&items, mask](uint64_t i) {
            if (i >= items.size()) return std::string("none");
            std::ostringstream s;
            s << "sel=" << (items[i].sel & mask) << " x=" << items[i].x;
            return s.str();
        },
        [](uint64_t k) { return k; });
    bench.clk(clk);
    return finish(bench, csides, o, std::move(r));
}

template <class V>
RunReport run_pe_array(const BlockInfo& b, const RunOptions& o) {
    RunReport r;
    r.block = b;
    const LayerParams params = pe_array_params(b.shape, o.seed);
    const PeStimulus stim(b.shape, params, o);
    r.items = stim.beats();
    r.expected_outputs = stim.outputs();
    r.latency = kPeArrayLatency;
    r.stimulus_summary = stim.summary();
    sc_core::sc_clock clk("clk", kPeriod);
    std::unique_ptr<PeModelSide> model;
    std::unique_ptr<PeRtlSide<V>> rtl;
    std::vector<Side<PeOut>*> sides;
    std::vector<const Side<PeOut>*> csides;
    std::vector<std::string> names;
    if (want(o, "model")) {
        model = std::make_unique<PeModelSide>("model", stim, params, o.mutation, clk);
        sides.push_back(model.get());
        names.push_back("model");
    }
    if (want(o, "rtl")) {
        rtl = std::make_unique<PeRtlSide<V>>("rtl", stim, clk);
        sides.push_back(rtl.get());
        names.push_back("RTL");
    }
    for (auto* s : sides) csides.push_back(s);
    const uint64_t sf = uint64_t(b.shape.synapse_folds);
    Bench<PeOut> bench(
        "bench", bench_config(o, stim.beats(), stim.outputs()), sides, names, format_pe,
        [&stim](uint64_t beat) { return beat < stim.beats() ? stim.describe(beat) : std::string("none"); },
        [sf](uint64_t k) { return (k + 1) * sf - 1; });
    bench.clk(clk);
    return finish(bench, csides, o, std::move(r));
}

BlockInfo rccm_block(const char* name, RccmKind k, bool pipelined, int bits, bool is_signed) {
    BlockInfo b;
    b.name = name;
    b.kind = BlockInfo::Kind::Rccm;
    b.rccm = k;
    b.pipelined = pipelined;
    b.input_bits = bits;
    b.input_signed = is_signed;
    return b;
}

BlockInfo pe_block(const char* name, PeArrayShape shape) {
    BlockInfo b;
    b.name = name;
    b.kind = BlockInfo::Kind::PeArray;
    b.shape = shape;
    return b;
}

}  // namespace

std::string BlockInfo::description() const {
    std::ostringstream s;
    if (kind == Kind::Rccm) {
        s << rccm_name(rccm) << " RCCM, " << (pipelined ? "pipelined" : "combinational") << ", " << input_bits << "-bit "
          << (input_signed ? "signed" : "unsigned") << " input";
    } else {
        s << "XNOR-popcount PE array, " << shape.pe << " PE x " << shape.simd << " SIMD, fan-in " << shape.fan_in()
          << ", " << shape.channels() << " channels, "
          << (shape.thresholds == 1 ? std::string("bipolar output") : std::to_string(shape.thresholds) + " thresholds");
    }
    return s.str();
}

// Must match the verilate() calls of CMakeLists.txt (prefix = name, the same parameters).
const std::vector<BlockInfo>& cosim_blocks() {
    static const std::vector<BlockInfo> blocks = {
        rccm_block("rccm2_comb", RccmKind::Add2, false, 8, true),
        rccm_block("rccm2_pipe", RccmKind::Add2, true, 8, true),
        rccm_block("rccm3_comb", RccmKind::Add3, false, 8, true),
        rccm_block("rccm3_pipe", RccmKind::Add3, true, 8, true),
        rccm_block("rccm4_comb", RccmKind::Add4, false, 8, true),
        rccm_block("rccm4_pipe", RccmKind::Add4, true, 8, true),
        rccm_block("rccm2_pipe_u8", RccmKind::Add2, true, 8, false),
        rccm_block("rccm3_pipe_u8", RccmKind::Add3, true, 8, false),
        rccm_block("rccm4_pipe_u8", RccmKind::Add4, true, 8, false),
        rccm_block("rccm4_pipe_s16", RccmKind::Add4, true, 16, true),
        pe_block("pe_array_4x32", PeArrayShape{4, 32, 4, 3, 3, 16}),
        pe_block("pe_array_2x8", PeArrayShape{2, 8, 16, 2, 1, 12}),
    };
    return blocks;
}

const BlockInfo& find_block(const std::string& name) {
    for (const BlockInfo& b : cosim_blocks())
        if (b.name == name) return b;
    std::string known;
    for (const BlockInfo& b : cosim_blocks()) known += " " + b.name;
    throw std::invalid_argument("unknown block '" + name + "'; known:" + known);
}

RunReport run_block(const RunOptions& o) {
    const BlockInfo& b = find_block(o.block);
    if (o.sides != "both" && o.sides != "model" && o.sides != "rtl")
        throw std::invalid_argument("sides must be both, model or rtl");
    if (b.name == "rccm2_comb") return run_rccm<Vrccm2_comb>(b, o);
    if (b.name == "rccm2_pipe") return run_rccm<Vrccm2_pipe>(b, o);
    if (b.name == "rccm3_comb") return run_rccm<Vrccm3_comb>(b, o);
    if (b.name == "rccm3_pipe") return run_rccm<Vrccm3_pipe>(b, o);
    if (b.name == "rccm4_comb") return run_rccm<Vrccm4_comb>(b, o);
    if (b.name == "rccm4_pipe") return run_rccm<Vrccm4_pipe>(b, o);
    if (b.name == "rccm2_pipe_u8") return run_rccm<Vrccm2_pipe_u8>(b, o);
    if (b.name == "rccm3_pipe_u8") return run_rccm<Vrccm3_pipe_u8>(b, o);
    if (b.name == "rccm4_pipe_u8") return run_rccm<Vrccm4_pipe_u8>(b, o);
    if (b.name == "rccm4_pipe_s16") return run_rccm<Vrccm4_pipe_s16>(b, o);
    if (b.name == "pe_array_4x32") return run_pe_array<Vpe_array_4x32>(b, o);
    if (b.name == "pe_array_2x8") return run_pe_array<Vpe_array_2x8>(b, o);
    throw std::invalid_argument("block '" + b.name + "' has no Verilated model");
}

}  // namespace qsim::cosim
