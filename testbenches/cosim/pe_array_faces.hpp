// The two faces of the XNOR-popcount PE array in the co-simulation bench: the SystemC model
// (xnor_pe_array_model.hpp) and a Verilated RTL top (rtl/xnor_pe_array.sv), each with its own
// pins, driven from the same stimulus of input vectors.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>

#include "testbenches/cosim/cosim_bench.hpp"
#include "testbenches/cosim/cosim_blocks.hpp"
#include "testbenches/cosim/cosim_ports.hpp"
#include "testbenches/cosim/xnor_pe_array_model.hpp"

namespace qsim::cosim {

struct PeOut {
    std::vector<int64_t> acc;
    std::vector<uint32_t> code;
    bool operator==(const PeOut& o) const { return acc == o.acc && code == o.code; }
};

// Input vectors (fan_in codes 0/1 each) and the beats they become: beat b is slice b % SF of
// vector b / (SF * NF) for neuron fold (b / SF) % NF.
class PeStimulus {
public:
    PeStimulus(const PeArrayShape& shape, const LayerParams& params, const RunOptions& options);
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

class PeModelSide : public HandshakeSide<PeOut> {
public:
    PeModelSide(sc_core::sc_module_name name, const PeStimulus& stim, const LayerParams& params, const Mutation& m,
                sc_core::sc_clock& clk)
        : HandshakeSide(name),
          dut("dut", stim.shape(), params, m),
          stim_(stim),
          out_acc("out_acc", size_t(stim.shape().pe)),
          out_code("out_code", size_t(stim.shape().pe)) {
        dut.clk(clk);
        bind_handshake(dut);
        dut.in_act(in_act);
        dut.out_acc.bind(out_acc);
        dut.out_code.bind(out_code);
    }
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
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = trace_prefix();
        trace_input_handshake(tf, p);
        sc_core::sc_trace(tf, in_act, p + "in_act");
        trace_output_handshake(tf, p);
        for (size_t i = 0; i < out_acc.size(); ++i) {
            sc_core::sc_trace(tf, out_acc[i], p + "out_acc_" + std::to_string(i));
            sc_core::sc_trace(tf, out_code[i], p + "out_code_" + std::to_string(i));
        }
    }
    XnorPeArrayModel dut;

private:
    const PeStimulus& stim_;
    sc_core::sc_signal<uint64_t> in_act{"in_act"};
    sc_core::sc_vector<sc_core::sc_signal<int64_t>> out_acc;
    sc_core::sc_vector<sc_core::sc_signal<uint32_t>> out_code;
};

template <class V>
class PeRtlSide : public HandshakeSide<PeOut> {
    using ActT = port_t<decltype(std::declval<V&>().in_act)>;
    using WgtT = port_t<decltype(std::declval<V&>().in_wgt)>;
    using ThrT = port_t<decltype(std::declval<V&>().in_thr)>;
    using AccT = port_t<decltype(std::declval<V&>().out_acc)>;
    using CodeT = port_t<decltype(std::declval<V&>().out_code)>;

public:
    PeRtlSide(sc_core::sc_module_name name, const PeStimulus& stim, sc_core::sc_clock& clk)
        : HandshakeSide<PeOut>(name), dut("dut"), stim_(stim), s_(stim.shape()) {
        code_bits_ = 1;
        while ((1 << code_bits_) < s_.thresholds + 1) ++code_bits_;
        dut.clk(clk);
        bind_handshake(dut);
        dut.in_act(in_act);
        dut.in_wgt(in_wgt);
        dut.in_last(in_last);
        dut.in_thr(in_thr);
        dut.out_acc(out_acc);
        dut.out_code(out_code);
    }
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
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = trace_prefix();
        trace_input_handshake(tf, p);
        sc_core::sc_trace(tf, in_act, p + "in_act");
        sc_core::sc_trace(tf, in_wgt, p + "in_wgt");
        sc_core::sc_trace(tf, in_last, p + "in_last");
        sc_core::sc_trace(tf, in_thr, p + "in_thr");
        trace_output_handshake(tf, p);
        sc_core::sc_trace(tf, out_acc, p + "out_acc");
        sc_core::sc_trace(tf, out_code, p + "out_code");
    }
    V dut;

private:
    const PeStimulus& stim_;
    PeArrayShape s_;
    int code_bits_;
    sc_core::sc_signal<bool> in_last{"in_last"};
    sc_core::sc_signal<ActT> in_act{"in_act"};
    sc_core::sc_signal<WgtT> in_wgt{"in_wgt"};
    sc_core::sc_signal<ThrT> in_thr{"in_thr"};
    sc_core::sc_signal<AccT> out_acc{"out_acc"};
    sc_core::sc_signal<CodeT> out_code{"out_code"};
};


// "pe0=ACC/CODE pe1=..." for reports.
std::string format_pe(const PeOut& o);

}  // namespace qsim::cosim
