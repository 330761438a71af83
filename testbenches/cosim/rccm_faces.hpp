// The two faces of an RCCM in the co-simulation bench: the SystemC model (rccm_model.hpp) and
// a Verilated RTL top (rtl/rccm_<n>add.sv), each with its own pins, driven from the same
// stimulus of (select word, input) pairs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "testbenches/cosim/cosim_bench.hpp"
#include "testbenches/cosim/cosim_blocks.hpp"
#include "testbenches/cosim/cosim_ports.hpp"
#include "testbenches/cosim/rccm_model.hpp"

namespace qsim::cosim {

struct RccmItem {
    uint32_t sel;
    int32_t x;
};

// The RCCM stimulus of a run (RunOptions::stimulus): (select word, input) pairs; `summary`
// says what they are.
std::vector<RccmItem> rccm_stimulus(const BlockInfo& block, const RunOptions& options, std::string& summary);

class RccmModelSide : public HandshakeSide<int64_t> {
public:
    RccmModelSide(sc_core::sc_module_name name, const RccmModelConfig& cfg, const std::vector<RccmItem>& items,
                  sc_core::sc_clock& clk)
        : HandshakeSide(name), dut("dut", cfg), items_(items) {
        dut.clk(clk);
        bind_handshake(dut);
        dut.in_sel(in_sel);
        dut.in_x(in_x);
        dut.out_y(out_y);
    }
    int64_t output() const override { return out_y.read(); }
    void drive(bool valid, uint64_t item) override {
        in_valid.write(valid);
        if (item < items_.size()) {
            in_sel.write(items_[item].sel);
            in_x.write(items_[item].x);
        }
    }
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = trace_prefix();
        trace_input_handshake(tf, p);
        sc_core::sc_trace(tf, in_sel, p + "in_sel");
        sc_core::sc_trace(tf, in_x, p + "in_x");
        trace_output_handshake(tf, p);
        sc_core::sc_trace(tf, out_y, p + "out_y");
    }
    RccmModel dut;

private:
    const std::vector<RccmItem>& items_;
    sc_core::sc_signal<uint32_t> in_sel{"in_sel"};
    sc_core::sc_signal<int32_t> in_x{"in_x"};
    sc_core::sc_signal<int64_t> out_y{"out_y"};
};

template <class V>
class RccmRtlSide : public HandshakeSide<int64_t> {
public:
    RccmRtlSide(sc_core::sc_module_name name, int input_bits, const std::vector<RccmItem>& items,
                sc_core::sc_clock& clk)
        : HandshakeSide<int64_t>(name), dut("dut"), bits_(input_bits), items_(items) {
        dut.clk(clk);
        bind_handshake(dut);
        dut.in_sel(in_sel);
        dut.in_x(in_x);
        dut.out_y(out_y);
    }
    int64_t output() const override { return sign_extend(out_y.read(), 32); }
    void drive(bool valid, uint64_t item) override {
        in_valid.write(valid);
        if (item < items_.size()) {
            in_sel.write(items_[item].sel);
            in_x.write(uint32_t(items_[item].x) & uint32_t((uint64_t(1) << bits_) - 1));
        }
    }
    void trace(sc_core::sc_trace_file* tf) const override {
        const std::string p = trace_prefix();
        trace_input_handshake(tf, p);
        sc_core::sc_trace(tf, in_sel, p + "in_sel");
        sc_core::sc_trace(tf, in_x, p + "in_x");
        trace_output_handshake(tf, p);
        sc_core::sc_trace(tf, out_y, p + "out_y");
    }
    V dut;

private:
    int bits_;
    const std::vector<RccmItem>& items_;
    sc_core::sc_signal<uint32_t> in_sel{"in_sel"}, in_x{"in_x"}, out_y{"out_y"};
};


}  // namespace qsim::cosim
