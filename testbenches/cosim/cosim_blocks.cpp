#include "testbenches/cosim/cosim_blocks.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "testbenches/cosim/rccm_model.hpp"

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

using sc_core::sc_signal;

const sc_core::sc_time kPeriod(10, sc_core::SC_NS);

// ---------------------------------------------------------------------------------------
// Packing values into Verilated ports (bool, uint32_t, uint64_t or sc_bv<N>).

using Words = std::vector<uint64_t>;

void set_field(Words& w, int lsb, int n, uint64_t v) {
    for (int i = 0; i < n; ++i) {
        const int bit = lsb + i;
        const uint64_t b = (v >> i) & 1u;
        w[size_t(bit / 64)] = (w[size_t(bit / 64)] & ~(uint64_t(1) << (bit % 64))) | (b << (bit % 64));
    }
}

void to_port(uint32_t& p, const Words& w) { p = uint32_t(w[0]); }
[[maybe_unused]] void to_port(uint64_t& p, const Words& w) { p = w[0]; }
template <int N>
void to_port(sc_dt::sc_bv<N>& p, const Words& w) {
    for (int i = 0; i < (N + 31) / 32; ++i) p.set_word(i, sc_dt::sc_digit(w[size_t(i / 2)] >> (32 * (i % 2))));
}

uint64_t field(uint32_t p, int lsb, int n) { return (uint64_t(p) >> lsb) & (n >= 64 ? ~0ull : (1ull << n) - 1); }
uint64_t field(uint64_t p, int lsb, int n) { return (p >> lsb) & (n >= 64 ? ~0ull : (1ull << n) - 1); }
template <int N>
uint64_t field(const sc_dt::sc_bv<N>& p, int lsb, int n) {
    return p.range(lsb + n - 1, lsb).to_uint64();
}

int64_t sign_extend(uint64_t v, int bits) {
    const uint64_t m = uint64_t(1) << (bits - 1);
    v &= bits >= 64 ? ~0ull : (uint64_t(1) << bits) - 1;
    return int64_t((v ^ m) - m);
}

template <class Port>
using port_t = typename std::remove_reference_t<Port>::data_type;

// ---------------------------------------------------------------------------------------
// RCCM stimulus and faces.

struct RccmItem {
    uint32_t sel;
    int32_t x;
};

std::vector<int32_t> rccm_extremes(int bits, bool is_signed) {
    const int32_t lo = is_signed ? -(int32_t(1) << (bits - 1)) : 0;
    const int32_t hi = is_signed ? (int32_t(1) << (bits - 1)) - 1 : int32_t((int64_t(1) << bits) - 1);
    std::vector<int32_t> v = {lo, hi, 0, 1, lo + 1, hi - 1};
    if (is_signed) v.push_back(-1);
    return v;
}

std::vector<RccmItem> rccm_stimulus(const BlockInfo& b, const RunOptions& o, std::string& summary) {
    const uint32_t codes = uint32_t(1) << rccm_select_bits(b.rccm);
    const int64_t lo = b.input_signed ? -(int64_t(1) << (b.input_bits - 1)) : 0;
    const int64_t span = int64_t(1) << b.input_bits;
    std::vector<RccmItem> items;
    std::ostringstream s;
    const uint64_t random = o.cycles > 0 ? o.cycles : o.count;
    if (o.stimulus == "codes" || o.stimulus == "mixed") {
        const std::vector<int32_t> ext = rccm_extremes(b.input_bits, b.input_signed);
        for (uint32_t sel = 0; sel < codes; ++sel)
            for (int32_t x : ext) items.push_back({sel, x});
        s << codes << " select codes x " << ext.size() << " extreme inputs";
    } else if (o.stimulus == "exhaustive") {
        if (b.input_bits > 12) throw std::invalid_argument("exhaustive stimulus needs an input of at most 12 bits");
        for (uint32_t sel = 0; sel < codes; ++sel)
            for (int64_t i = 0; i < span; ++i) items.push_back({sel, int32_t(lo + i)});
        s << codes << " select codes x all " << span << " inputs";
    } else if (o.stimulus != "random") {
        throw std::invalid_argument("RCCM stimulus must be codes, exhaustive, random or mixed, not '" + o.stimulus + "'");
    }
    if (o.stimulus == "random" || o.stimulus == "mixed") {
        for (uint64_t i = 0; i < random; ++i) {
            const uint64_t r = mix64(o.seed * 0x2545f4914f6cdd1dull + i);
            items.push_back({uint32_t(r) & (codes - 1), int32_t(lo + int64_t((r >> 32) % uint64_t(span)))});
        }
        s << (items.size() > random ? ", then " : "") << random << " random (seed " << o.seed << ")";
    }
    summary = s.str();
    return items;
}

class RccmModelSide : public sc_core::sc_module, public Side<int64_t> {
public:
    RccmModelSide(sc_core::sc_module_name name, const RccmModelConfig& cfg, const std::vector<RccmItem>& items,
                  sc_core::sc_clock& clk)
        : sc_module(name), dut("dut", cfg), items_(items) {
        dut.clk(clk);
        dut.rst_n(rst_n);
        dut.in_valid(in_valid);
        dut.in_ready(in_ready);
        dut.in_sel(in_sel);
        dut.in_x(in_x);
        dut.out_valid(out_valid);
        dut.out_ready(out_ready);
        dut.out_y(out_y);
    }
    void set_reset(bool active) override { rst_n.write(!active); }
    bool takes_input() const override { return in_ready.read(); }
    bool has_output() const override { return out_valid.read(); }
    int64_t output() const override { return out_y.read(); }
    void drive(bool valid, uint64_t item) override {
        in_valid.write(valid);
        if (item < items_.size()) {
            in_sel.write(items_[item].sel);
            in_x.write(items_[item].x);
        }
    }
    void set_out_ready(bool r) override { out_ready.write(r); }
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = std::string(name()) + ".";
        sc_core::sc_trace(tf, rst_n, p + "rst_n");
        sc_core::sc_trace(tf, in_valid, p + "in_valid");
        sc_core::sc_trace(tf, in_ready, p + "in_ready");
        sc_core::sc_trace(tf, in_sel, p + "in_sel");
        sc_core::sc_trace(tf, in_x, p + "in_x");
        sc_core::sc_trace(tf, out_valid, p + "out_valid");
        sc_core::sc_trace(tf, out_ready, p + "out_ready");
        sc_core::sc_trace(tf, out_y, p + "out_y");
    }
    RccmModel dut;

private:
    const std::vector<RccmItem>& items_;
    sc_signal<bool> rst_n{"rst_n"}, in_valid{"in_valid"}, in_ready{"in_ready"}, out_valid{"out_valid"},
        out_ready{"out_ready"};
    sc_signal<uint32_t> in_sel{"in_sel"};
    sc_signal<int32_t> in_x{"in_x"};
    sc_signal<int64_t> out_y{"out_y"};
};

template <class V>
class RccmRtlSide : public sc_core::sc_module, public Side<int64_t> {
public:
    RccmRtlSide(sc_core::sc_module_name name, int input_bits, const std::vector<RccmItem>& items,
                sc_core::sc_clock& clk)
        : sc_module(name), dut("dut"), bits_(input_bits), items_(items) {
        dut.clk(clk);
        dut.rst_n(rst_n);
        dut.in_valid(in_valid);
        dut.in_ready(in_ready);
        dut.in_sel(in_sel);
        dut.in_x(in_x);
        dut.out_valid(out_valid);
        dut.out_ready(out_ready);
        dut.out_y(out_y);
    }
    void set_reset(bool active) override { rst_n.write(!active); }
    bool takes_input() const override { return in_ready.read(); }
    bool has_output() const override { return out_valid.read(); }
    int64_t output() const override { return sign_extend(out_y.read(), 32); }
    void drive(bool valid, uint64_t item) override {
        in_valid.write(valid);
        if (item < items_.size()) {
            in_sel.write(items_[item].sel);
            in_x.write(uint32_t(items_[item].x) & uint32_t((uint64_t(1) << bits_) - 1));
        }
    }
    void set_out_ready(bool r) override { out_ready.write(r); }
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = std::string(name()) + ".";
        sc_core::sc_trace(tf, rst_n, p + "rst_n");
        sc_core::sc_trace(tf, in_valid, p + "in_valid");
        sc_core::sc_trace(tf, in_ready, p + "in_ready");
        sc_core::sc_trace(tf, in_sel, p + "in_sel");
        sc_core::sc_trace(tf, in_x, p + "in_x");
        sc_core::sc_trace(tf, out_valid, p + "out_valid");
        sc_core::sc_trace(tf, out_ready, p + "out_ready");
        sc_core::sc_trace(tf, out_y, p + "out_y");
    }
    V dut;

private:
    int bits_;
    const std::vector<RccmItem>& items_;
    sc_signal<bool> rst_n{"rst_n"}, in_valid{"in_valid"}, out_ready{"out_ready"};
    sc_signal<bool> in_ready{"in_ready"}, out_valid{"out_valid"};
    sc_signal<uint32_t> in_sel{"in_sel"}, in_x{"in_x"}, out_y{"out_y"};
};

// ---------------------------------------------------------------------------------------
// PE array stimulus and faces.

struct PeOut {
    std::vector<int64_t> acc;
    std::vector<uint32_t> code;
    bool operator==(const PeOut& o) const { return acc == o.acc && code == o.code; }
};

// Input vectors (fan_in codes 0/1 each) and the beats they become: beat b is slice b % SF of
// vector b / (SF * NF) for neuron fold (b / SF) % NF.
class PeStimulus {
public:
    PeStimulus(const PeArrayShape& shape, const LayerParams& params, const RunOptions& o)
        : shape_(shape), layer_(pe_array_layer(shape)), params_(params), memory_(layer_, params_) {
        const int64_t f = shape.fan_in();
        std::ostringstream s;
        if (o.stimulus == "extremes") {
            const size_t len = static_cast<size_t>(f);
            std::vector<int32_t> plus(len, 1), minus(len, 0), w0(len), nw0(len), alt(len);
            for (int64_t i = 0; i < f; ++i) {
                w0[size_t(i)] = params.weights[size_t(i)] > 0 ? 1 : 0;
                nw0[size_t(i)] = 1 - w0[size_t(i)];
                alt[size_t(i)] = int32_t(i & 1);
            }
            vectors_ = {plus, minus, w0, nw0, alt};
            s << "5 extreme vectors (all +1, all -1, channel 0's weights, their negation, alternating), then ";
        } else if (o.stimulus != "random") {
            throw std::invalid_argument("PE array stimulus must be extremes or random, not '" + o.stimulus + "'");
        }
        const uint64_t per_vector = uint64_t(shape.synapse_folds) * uint64_t(shape.neuron_folds);
        const uint64_t random = o.cycles > 0 ? o.cycles / per_vector + 1 : o.count;
        for (uint64_t v = 0; v < random; ++v) {
            std::vector<int32_t> codes(static_cast<size_t>(f));
            for (int64_t i = 0; i < f; i += 64) {
                const uint64_t r = mix64(o.seed * 0x9e3779b97f4a7c15ull ^ (v << 16 | uint64_t(i / 64)));
                for (int64_t k = i; k < std::min(f, i + 64); ++k) codes[size_t(k)] = int32_t((r >> (k - i)) & 1u);
            }
            vectors_.push_back(std::move(codes));
        }
        s << random << " random vectors (seed " << o.seed << "), each " << shape.neuron_folds << " folds x "
          << shape.synapse_folds << " beats";
        summary_ = s.str();
    }
    uint64_t beats() const { return vectors_.size() * uint64_t(shape_.synapse_folds) * uint64_t(shape_.neuron_folds); }
    uint64_t outputs() const { return vectors_.size() * uint64_t(shape_.neuron_folds); }
    const std::string& summary() const { return summary_; }
    const PeArrayShape& shape() const { return shape_; }

    uint64_t act(uint64_t beat) const {
        const auto& v = vectors_[size_t(beat / folds_beats())];
        const int sf = int(beat % uint64_t(shape_.synapse_folds));
        uint64_t a = 0;
        for (int i = 0; i < shape_.simd; ++i) a |= uint64_t(v[size_t(sf * shape_.simd + i)] & 1) << i;
        return a;
    }
    int fold(uint64_t beat) const { return int((beat / uint64_t(shape_.synapse_folds)) % uint64_t(shape_.neuron_folds)); }
    bool last(uint64_t beat) const { return beat % uint64_t(shape_.synapse_folds) == uint64_t(shape_.synapse_folds) - 1; }
    // Weight word of PE p for the beat (the PE weight memory's word at nf * SF + sf).
    uint64_t weights(uint64_t beat, int p) const {
        const uint64_t addr = uint64_t(fold(beat)) * uint64_t(shape_.synapse_folds) + beat % uint64_t(shape_.synapse_folds);
        const uint64_t w = memory_.word(p, addr)[0];
        return shape_.simd == 64 ? w : w & ((uint64_t(1) << shape_.simd) - 1);
    }
    int32_t threshold(uint64_t beat, int p, int j) const {
        const int n = fold(beat) * shape_.pe + p;
        return params_.thresholds[size_t(n) * size_t(shape_.thresholds) + size_t(j)];
    }
    std::string describe(uint64_t beat) const {
        std::ostringstream s;
        const uint64_t sf = beat % uint64_t(shape_.synapse_folds);
        s << "beat #" << beat << " = vector " << beat / folds_beats() << ", fold " << fold(beat) << " (channels "
          << fold(beat) * shape_.pe << ".." << fold(beat) * shape_.pe + shape_.pe - 1 << "), slice " << sf
          << ", act=0x" << std::hex << act(beat) << std::dec;
        return s.str();
    }

private:
    uint64_t folds_beats() const { return uint64_t(shape_.synapse_folds) * uint64_t(shape_.neuron_folds); }
    PeArrayShape shape_;
    LayerConfig layer_;
    LayerParams params_;
    WeightMemory memory_;
    std::vector<std::vector<int32_t>> vectors_;
    std::string summary_;
};

class PeModelSide : public sc_core::sc_module, public Side<PeOut> {
public:
    PeModelSide(sc_core::sc_module_name name, const PeStimulus& stim, const LayerParams& params, const Mutation& m,
                sc_core::sc_clock& clk)
        : sc_module(name),
          dut("dut", stim.shape(), params, m),
          stim_(stim),
          out_acc("out_acc", size_t(stim.shape().pe)),
          out_code("out_code", size_t(stim.shape().pe)) {
        dut.clk(clk);
        dut.rst_n(rst_n);
        dut.in_valid(in_valid);
        dut.in_ready(in_ready);
        dut.in_act(in_act);
        dut.out_valid(out_valid);
        dut.out_ready(out_ready);
        dut.out_acc.bind(out_acc);
        dut.out_code.bind(out_code);
    }
    void set_reset(bool active) override { rst_n.write(!active); }
    bool takes_input() const override { return in_ready.read(); }
    bool has_output() const override { return out_valid.read(); }
    PeOut output() const override {
        PeOut o;
        for (size_t p = 0; p < out_acc.size(); ++p) {
            o.acc.push_back(out_acc[p].read());
            o.code.push_back(out_code[p].read());
        }
        return o;
    }
    void drive(bool valid, uint64_t beat) override {
        in_valid.write(valid);
        if (beat < stim_.beats()) in_act.write(stim_.act(beat));
    }
    void set_out_ready(bool r) override { out_ready.write(r); }
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = std::string(name()) + ".";
        sc_core::sc_trace(tf, rst_n, p + "rst_n");
        sc_core::sc_trace(tf, in_valid, p + "in_valid");
        sc_core::sc_trace(tf, in_ready, p + "in_ready");
        sc_core::sc_trace(tf, in_act, p + "in_act");
        sc_core::sc_trace(tf, out_valid, p + "out_valid");
        sc_core::sc_trace(tf, out_ready, p + "out_ready");
        for (size_t i = 0; i < out_acc.size(); ++i) {
            sc_core::sc_trace(tf, out_acc[i], p + "out_acc_" + std::to_string(i));
            sc_core::sc_trace(tf, out_code[i], p + "out_code_" + std::to_string(i));
        }
    }
    XnorPeArrayModel dut;

private:
    const PeStimulus& stim_;
    sc_signal<bool> rst_n{"rst_n"}, in_valid{"in_valid"}, in_ready{"in_ready"}, out_valid{"out_valid"},
        out_ready{"out_ready"};
    sc_signal<uint64_t> in_act{"in_act"};
    sc_core::sc_vector<sc_signal<int64_t>> out_acc;
    sc_core::sc_vector<sc_signal<uint32_t>> out_code;
};

template <class V>
class PeRtlSide : public sc_core::sc_module, public Side<PeOut> {
    using ActT = port_t<decltype(std::declval<V&>().in_act)>;
    using WgtT = port_t<decltype(std::declval<V&>().in_wgt)>;
    using ThrT = port_t<decltype(std::declval<V&>().in_thr)>;
    using AccT = port_t<decltype(std::declval<V&>().out_acc)>;
    using CodeT = port_t<decltype(std::declval<V&>().out_code)>;

public:
    PeRtlSide(sc_core::sc_module_name name, const PeStimulus& stim, sc_core::sc_clock& clk)
        : sc_module(name), dut("dut"), stim_(stim), s_(stim.shape()) {
        code_bits_ = 1;
        while ((1 << code_bits_) < s_.thresholds + 1) ++code_bits_;
        dut.clk(clk);
        dut.rst_n(rst_n);
        dut.in_valid(in_valid);
        dut.in_ready(in_ready);
        dut.in_act(in_act);
        dut.in_wgt(in_wgt);
        dut.in_last(in_last);
        dut.in_thr(in_thr);
        dut.out_valid(out_valid);
        dut.out_ready(out_ready);
        dut.out_acc(out_acc);
        dut.out_code(out_code);
    }
    void set_reset(bool active) override { rst_n.write(!active); }
    bool takes_input() const override { return in_ready.read(); }
    bool has_output() const override { return out_valid.read(); }
    PeOut output() const override {
        PeOut o;
        const AccT acc = out_acc.read();
        const CodeT code = out_code.read();
        for (int p = 0; p < s_.pe; ++p) {
            o.acc.push_back(sign_extend(field(acc, p * s_.acc_bits, s_.acc_bits), s_.acc_bits));
            o.code.push_back(uint32_t(field(code, p * code_bits_, code_bits_)));
        }
        return o;
    }
    void drive(bool valid, uint64_t beat) override {
        in_valid.write(valid);
        if (beat >= stim_.beats()) return;
        Words a(1, stim_.act(beat));
        Words w(size_t((s_.pe * s_.simd + 63) / 64), 0);
        Words t(size_t((s_.pe * s_.thresholds * s_.acc_bits + 63) / 64), 0);
        for (int p = 0; p < s_.pe; ++p) {
            set_field(w, p * s_.simd, s_.simd, stim_.weights(beat, p));
            for (int j = 0; j < s_.thresholds; ++j)
                set_field(t, (p * s_.thresholds + j) * s_.acc_bits, s_.acc_bits, uint64_t(int64_t(stim_.threshold(beat, p, j))));
        }
        ActT av{};
        WgtT wv{};
        ThrT tv{};
        to_port(av, a);
        to_port(wv, w);
        to_port(tv, t);
        in_act.write(av);
        in_wgt.write(wv);
        in_thr.write(tv);
        in_last.write(stim_.last(beat));
    }
    void set_out_ready(bool r) override { out_ready.write(r); }
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = std::string(name()) + ".";
        sc_core::sc_trace(tf, rst_n, p + "rst_n");
        sc_core::sc_trace(tf, in_valid, p + "in_valid");
        sc_core::sc_trace(tf, in_ready, p + "in_ready");
        sc_core::sc_trace(tf, in_act, p + "in_act");
        sc_core::sc_trace(tf, in_wgt, p + "in_wgt");
        sc_core::sc_trace(tf, in_last, p + "in_last");
        sc_core::sc_trace(tf, in_thr, p + "in_thr");
        sc_core::sc_trace(tf, out_valid, p + "out_valid");
        sc_core::sc_trace(tf, out_ready, p + "out_ready");
        sc_core::sc_trace(tf, out_acc, p + "out_acc");
        sc_core::sc_trace(tf, out_code, p + "out_code");
    }
    V dut;

private:
    const PeStimulus& stim_;
    PeArrayShape s_;
    int code_bits_;
    sc_signal<bool> rst_n{"rst_n"}, in_valid{"in_valid"}, in_ready{"in_ready"}, in_last{"in_last"},
        out_valid{"out_valid"}, out_ready{"out_ready"};
    sc_signal<ActT> in_act{"in_act"};
    sc_signal<WgtT> in_wgt{"in_wgt"};
    sc_signal<ThrT> in_thr{"in_thr"};
    sc_signal<AccT> out_acc{"out_acc"};
    sc_signal<CodeT> out_code{"out_code"};
};

// ---------------------------------------------------------------------------------------

std::string format_pe(const PeOut& o) {
    std::ostringstream s;
    for (size_t p = 0; p < o.acc.size(); ++p) s << (p ? " " : "") << "pe" << p << "=" << o.acc[p] << "/" << o.code[p];
    s << " (acc/code)";
    return s.str();
}

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
