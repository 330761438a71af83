// The co-simulation bench: drives the same stimulus into one or two faces of a block (the
// SystemC model and the Verilated RTL), each through its own pins, and compares them cycle by
// cycle: whether each side took an input, whether it delivered an output, and the output's
// value. Both sides see the same input-rate and out_ready patterns (functions of the cycle),
// so two correct faces produce identical traces and the first difference is reported with its
// cycle, the inputs behind it and both outputs.
//
// Cycle c is the clock period after the c-th rising edge that follows reset; a handshake of
// cycle c is sampled at the edge that ends it. A source keeps in_valid and its data until the
// input is taken (valid/ready rules); it offers the next input when the rate pattern is on.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>

#include "testbenches/cosim/cosim_pattern.hpp"

namespace qsim::cosim {

// One face of the block, seen through its pins.
template <class Out>
class Side {
public:
    virtual ~Side() = default;
    virtual void set_reset(bool active) = 0;
    virtual bool takes_input() const = 0;   // in_ready
    virtual bool has_output() const = 0;    // out_valid
    virtual Out output() const = 0;
    virtual void drive(bool valid, uint64_t item) = 0;  // item: index into the stimulus
    virtual void set_out_ready(bool ready) = 0;
    virtual void trace(sc_core::sc_trace_file* tf) const = 0;
};

// A face's handshake pins (active-low reset, valid/ready at the input and the output) and the
// Side operations on them; each face adds its data pins, its dut and the rest of Side.
template <class Out>
class HandshakeSide : public sc_core::sc_module, public Side<Out> {
public:
    void set_reset(bool active) override { rst_n.write(!active); }
    bool takes_input() const override { return in_ready.read(); }
    bool has_output() const override { return out_valid.read(); }
    void set_out_ready(bool r) override { out_ready.write(r); }

protected:
    explicit HandshakeSide(sc_core::sc_module_name name) : sc_module(name) {}
    // Binds the handshake pins of `dut` (a SystemC model or a Verilated top) to these signals.
    template <class Dut>
    void bind_handshake(Dut& dut) {
        dut.rst_n(rst_n);
        dut.in_valid(in_valid);
        dut.in_ready(in_ready);
        dut.out_valid(out_valid);
        dut.out_ready(out_ready);
    }
    // VCD names are the face's name, a dot and the pin.
    std::string trace_prefix() const { return std::string(this->name()) + "."; }
    void trace_input_handshake(sc_core::sc_trace_file* tf, const std::string& p) const {
        sc_core::sc_trace(tf, rst_n, p + "rst_n");
        sc_core::sc_trace(tf, in_valid, p + "in_valid");
        sc_core::sc_trace(tf, in_ready, p + "in_ready");
    }
    void trace_output_handshake(sc_core::sc_trace_file* tf, const std::string& p) const {
        sc_core::sc_trace(tf, out_valid, p + "out_valid");
        sc_core::sc_trace(tf, out_ready, p + "out_ready");
    }

    sc_core::sc_signal<bool> rst_n{"rst_n"}, in_valid{"in_valid"}, in_ready{"in_ready"}, out_valid{"out_valid"},
        out_ready{"out_ready"};
};

struct SideStats {
    uint64_t accepted = 0;        // inputs taken
    uint64_t delivered = 0;       // outputs taken by the sink
    uint64_t stall_cycles = 0;    // an input was offered and not taken (backpressure reached the input)
    uint64_t starved_cycles = 0;  // ready for input, none offered (input rate)
    uint64_t blocked_cycles = 0;  // an output was valid and the sink did not take it
};

struct BenchResult {
    uint64_t cycles = 0;            // cycles simulated after reset
    uint64_t compared_cycles = 0;   // cycles compared between the two sides (0 with one side)
    uint64_t compared_outputs = 0;  // outputs compared value by value
    uint64_t mismatch_cycles = 0;   // cycles on which the sides differed
    std::string first_mismatch;     // report of the first one ("" if none)
    bool complete = false;          // every side delivered every expected output
    double wall_seconds = 0;        // wall time of sc_start
    std::vector<SideStats> sides;
};

struct BenchConfig {
    uint64_t items = 0;             // inputs in the stimulus
    uint64_t expected_outputs = 0;  // outputs that complete the run (0: run max_cycles)
    uint64_t max_cycles = 0;        // stop here in any case
    Pattern rate, ready;
    bool stop_at_mismatch = true;
};

template <class Out>
class Bench : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;

    using OutFmt = std::function<std::string(const Out&)>;
    using InputFmt = std::function<std::string(uint64_t item)>;  // describes an input
    using OutputSource = std::function<uint64_t(uint64_t output_index)>;  // last input behind an output

    // One per-cycle row for --per-cycle traces (side 0): cycle, in_valid, in_ready, out_valid, out_ready.
    using CycleHook = std::function<void(uint64_t cycle, bool in_valid, bool in_ready, bool out_valid,
                                         bool out_ready, const Out* out)>;

    Bench(sc_core::sc_module_name name, const BenchConfig& config, std::vector<Side<Out>*> sides,
          std::vector<std::string> side_names, OutFmt fmt_out, InputFmt fmt_in, OutputSource source)
        : sc_module(name),
          clk("clk"),
          config_(config),
          sides_(std::move(sides)),
          names_(std::move(side_names)),
          state_(sides_.size()),
          fmt_out_(std::move(fmt_out)),
          fmt_in_(std::move(fmt_in)),
          source_(std::move(source)) {
        result_.sides.resize(sides_.size());
        SC_METHOD(edge);
        sensitive << clk.pos();
        dont_initialize();
        for (Side<Out>* s : sides_) {
            s->set_reset(true);
            s->drive(false, 0);
            s->set_out_ready(false);
        }
    }
    SC_HAS_PROCESS(Bench);

    void set_cycle_hook(CycleHook hook) { hook_ = std::move(hook); }

    // Runs until every side delivered the expected outputs, the cycle limit, or (with
    // stop_at_mismatch) the first mismatch.
    BenchResult run(const sc_core::sc_time& period) {
        // The run ends with sc_stop(); its "stopped by user" note is not news here.
        sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
        const auto t0 = std::chrono::steady_clock::now();
        const uint64_t chunk = 4096;
        while (!done_) sc_core::sc_start(period * double(chunk));
        result_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        result_.cycles = cycle_;
        bool complete = config_.expected_outputs > 0;
        for (size_t i = 0; i < sides_.size(); ++i) {
            result_.sides[i] = state_[i].stats;
            complete = complete && state_[i].stats.delivered >= config_.expected_outputs;
        }
        result_.complete = complete;
        return result_;
    }

private:
    struct State {
        bool valid = false;   // in_valid driven in the current cycle
        uint64_t next = 0;    // the input on the pins (or the next one)
        SideStats stats;
    };
    struct Sample {
        bool took = false, delivered = false, offered = false, ready = false, out_valid = false;
        uint64_t item = 0;
        Out out{};
    };

    static constexpr int kResetCycles = 2;

    void edge() {
        if (done_) return;
        if (reset_left_ > 0) {
            if (--reset_left_ == 0) {
                for (Side<Out>* s : sides_) s->set_reset(false);
                drive_cycle();
            }
            return;
        }
        std::vector<Sample> smp(sides_.size());
        for (size_t i = 0; i < sides_.size(); ++i) {
            State& st = state_[i];
            Sample& m = smp[i];
            m.offered = st.valid;
            m.ready = sides_[i]->takes_input();
            m.out_valid = sides_[i]->has_output();
            m.item = st.next;
            m.took = st.valid && m.ready;
            m.delivered = m.out_valid && ready_now_;
            if (m.delivered) m.out = sides_[i]->output();
            if (st.valid && !m.ready) ++st.stats.stall_cycles;
            if (!st.valid && m.ready && st.next < config_.items) ++st.stats.starved_cycles;
            if (m.out_valid && !ready_now_) ++st.stats.blocked_cycles;
            if (m.took) {
                ++st.stats.accepted;
                ++st.next;
                st.valid = false;
            }
            if (m.delivered) ++st.stats.delivered;
        }
        if (hook_) hook_(cycle_, smp[0].offered, smp[0].ready, smp[0].out_valid, ready_now_, smp[0].delivered ? &smp[0].out : nullptr);
        if (sides_.size() == 2) compare(smp[0], smp[1]);
        ++cycle_;
        bool finished = config_.expected_outputs > 0;
        for (const State& st : state_) finished = finished && st.stats.delivered >= config_.expected_outputs;
        if (finished || cycle_ >= config_.max_cycles || (config_.stop_at_mismatch && result_.mismatch_cycles > 0)) {
            done_ = true;
            sc_core::sc_stop();
            return;
        }
        drive_cycle();
    }

    void drive_cycle() {
        ready_now_ = config_.ready.at(cycle_);
        const bool offer = config_.rate.at(cycle_);
        for (size_t i = 0; i < sides_.size(); ++i) {
            State& st = state_[i];
            if (!st.valid && offer && st.next < config_.items) st.valid = true;
            sides_[i]->drive(st.valid, st.next);
            sides_[i]->set_out_ready(ready_now_);
        }
    }

    void compare(const Sample& a, const Sample& b) {
        ++result_.compared_cycles;
        const bool both = a.delivered && b.delivered;
        if (both) ++result_.compared_outputs;
        const bool same = a.took == b.took && a.delivered == b.delivered && (!both || a.out == b.out);
        if (same) return;
        ++result_.mismatch_cycles;
        if (!result_.first_mismatch.empty()) return;
        std::ostringstream r;
        r << "MISMATCH at cycle " << cycle_ << ": ";
        if (a.took != b.took) {
            r << "input #" << a.item << " taken by " << (a.took ? names_[0] : names_[1]) << " only (input: "
              << fmt_in_(a.item) << ")\n";
        } else {
            const uint64_t index = (a.delivered ? state_[0] : state_[1]).stats.delivered - 1;
            r << "output #" << index << (both ? " differs" : " delivered by one side only") << " (inputs: "
              << fmt_in_(source_(index)) << ")\n";
        }
        for (size_t i = 0; i < 2; ++i) {
            const Sample& s = i == 0 ? a : b;
            r << "  " << names_[i] << ": in_valid=" << s.offered << " in_ready=" << s.ready
              << " out_valid=" << s.out_valid << " out_ready=" << ready_now_;
            if (s.out_valid) r << " out=" << fmt_out_(s.delivered ? s.out : sides_[i]->output());
            r << "\n";
        }
        result_.first_mismatch = r.str();
    }

    BenchConfig config_;
    std::vector<Side<Out>*> sides_;
    std::vector<std::string> names_;
    std::vector<State> state_;
    OutFmt fmt_out_;
    InputFmt fmt_in_;
    OutputSource source_;
    CycleHook hook_;
    BenchResult result_;
    int reset_left_ = kResetCycles;
    uint64_t cycle_ = 0;
    bool ready_now_ = false;
    bool done_ = false;
};

}  // namespace qsim::cosim
