#include "testbenches/cosim/rccm_model.hpp"

#include <algorithm>

namespace qsim::cosim {

int rccm_pipeline_latency(const RccmCircuit& circuit) {
    std::vector<int> depth(circuit.stages.size(), 0);
    for (size_t i = 0; i < circuit.stages.size(); ++i) {
        int d = 0;
        for (int src : {circuit.stages[i].a_source, circuit.stages[i].b_source})
            if (src != kRccmInput) d = std::max(d, depth[size_t(src)]);
        depth[i] = d + 1;
    }
    return depth.empty() ? 0 : depth.back();
}

RccmModel::RccmModel(sc_core::sc_module_name name, const RccmModelConfig& config)
    : sc_module(name),
      clk("clk"),
      rst_n("rst_n"),
      in_valid("in_valid"),
      in_ready("in_ready"),
      in_sel("in_sel"),
      in_x("in_x"),
      out_valid("out_valid"),
      out_ready("out_ready"),
      out_y("out_y"),
      circuit_(rccm_circuit(config.kind)),
      pipelined_(config.pipelined),
      latency_(rccm_pipeline_latency(circuit_)),
      mutation_(config.mutation),
      slots_(size_t(latency_)),
      cycle_sig_("cycle") {
    if (pipelined_) {
        SC_METHOD(clock_edge);
        sensitive << clk.pos();
        dont_initialize();
        SC_METHOD(handshake);
        sensitive << out_ready << out_valid << cycle_sig_;
    } else {
        SC_METHOD(clock_edge);  // only counts cycles (for the Cycle mutation)
        sensitive << clk.pos();
        dont_initialize();
        SC_METHOD(combinational);
        sensitive << in_valid << in_sel << in_x << out_ready << cycle_sig_;
    }
}

int64_t RccmModel::product(uint32_t select, int32_t x) const {
    const uint32_t sel = select & ((uint32_t(1) << circuit_.select_bits()) - 1);
    int64_t y = rccm_multiply(circuit_, sel, x);
    if (mutation_.kind == Mutation::Kind::Value && sel == mutation_.select) y += x;
    return y;
}

bool RccmModel::stalled_by_mutation() const {
    return mutation_.kind == Mutation::Kind::Cycle && cycle_sig_.read() == mutation_.cycle;
}

void RccmModel::combinational() {
    const bool stall = stalled_by_mutation();
    out_valid.write(in_valid.read() && !stall);
    in_ready.write(out_ready.read() && !stall);
    out_y.write(product(in_sel.read(), in_x.read()));
}

void RccmModel::clock_edge() {
    if (!rst_n.read()) {
        cycle_ = 0;
        cycle_sig_.write(0);
        for (Slot& s : slots_) s = Slot{};
        if (pipelined_) out_valid.write(false);
        return;
    }
    if (pipelined_) {
        // The values sampled here are those of the cycle that ends with this edge.
        const bool advance = in_ready.read();
        if (advance) {
            for (size_t k = slots_.size() - 1; k > 0; --k) slots_[k] = slots_[k - 1];
            slots_[0] = Slot{in_valid.read(), product(in_sel.read(), in_x.read())};
            out_valid.write(slots_.back().valid);
            out_y.write(slots_.back().y);
        }
    }
    cycle_sig_.write(++cycle_);
}

void RccmModel::handshake() {
    in_ready.write((!out_valid.read() || out_ready.read()) && !stalled_by_mutation());
}

}  // namespace qsim::cosim
