#include "testbenches/cosim/xnor_pe_array_model.hpp"

#include <algorithm>
#include <stdexcept>

#include "testbenches/cosim/cosim_pattern.hpp"

namespace qsim::cosim {

LayerConfig pe_array_layer(const PeArrayShape& s) {
    if (s.simd < 1 || s.simd > 64 || s.pe < 1 || s.synapse_folds < 1 || s.neuron_folds < 1)
        throw std::invalid_argument("PE array: need 1 <= SIMD <= 64 and PE, SF, NF >= 1");
    int bits = 0;
    while ((1 << bits) - 1 < s.thresholds) ++bits;
    if (s.thresholds != 1 && (1 << bits) - 1 != s.thresholds)
        throw std::invalid_argument("PE array: thresholds per channel must be 1 or 2^b - 1");
    LayerConfig l;
    l.name = "pe_array";
    l.type = LayerType::Fc;
    l.in = {1, 1, int(s.fan_in())};
    l.out = {1, 1, s.channels()};
    l.filters = s.channels();
    l.folding.pe = s.pe;
    l.folding.simd = s.simd;
    l.in_encoding = Encoding::Bipolar;
    l.in_bits = 1;
    l.weights.quant = WeightQuant::Binary;
    l.weights.bits = 1;
    l.activation.type = s.thresholds == 1 ? ActivationType::Bipolar : ActivationType::Thresholds;
    l.activation.bits = s.thresholds == 1 ? 1 : bits;
    l.out_encoding = s.thresholds == 1 ? Encoding::Bipolar : Encoding::Unsigned;
    l.out_bits = l.activation.bits;
    l.datapath = Datapath::XnorPopcount;
    return l;
}

LayerParams pe_array_params(const PeArrayShape& s, uint64_t seed) {
    LayerParams p;
    p.layer = "pe_array";
    const int64_t fan_in = s.fan_in();
    const int n_ch = s.channels();
    p.weights.resize(size_t(fan_in) * size_t(n_ch));
    for (int n = 0; n < n_ch; ++n)
        for (int64_t i = 0; i < fan_in; ++i) {
            const bool plus = n == n_ch - 1 || (mix64(seed ^ (uint64_t(n) << 32 | uint64_t(i))) & 1u);
            p.weights[size_t(n) * size_t(fan_in) + size_t(i)] = plus ? 1 : -1;
        }
    const int t = s.thresholds;
    p.thresholds.resize(size_t(n_ch) * size_t(t));
    for (int n = 0; n < n_ch; ++n) {
        int32_t* th = &p.thresholds[size_t(n) * size_t(t)];
        for (int j = 0; j < t; ++j) {
            const uint64_t r = mix64(~seed ^ (uint64_t(n) << 20 | uint64_t(j)));
            // Accumulators are even or odd with fan_in; any value in the range is a threshold.
            th[j] = int32_t(int64_t(r % uint64_t(2 * fan_in + 1)) - fan_in);
        }
        if (n == 0) {
            th[0] = int32_t(-fan_in);
            th[t - 1] = int32_t(fan_in);
        }
        std::sort(th, th + t);
    }
    return p;
}

XnorPeArrayModel::XnorPeArrayModel(sc_core::sc_module_name name, const PeArrayShape& shape, LayerParams params,
                                   const Mutation& mutation)
    : sc_module(name),
      clk("clk"),
      rst_n("rst_n"),
      in_valid("in_valid"),
      in_ready("in_ready"),
      in_act("in_act"),
      out_valid("out_valid"),
      out_ready("out_ready"),
      out_acc("out_acc", size_t(shape.pe)),
      out_code("out_code", size_t(shape.pe)),
      shape_(shape),
      layer_(pe_array_layer(shape)),
      params_([&] {
          // Value mutation: the model's weight memory holds one weight of the wrong sign.
          if (mutation.kind == Mutation::Kind::Value) params.weights[0] = int8_t(-params.weights[0]);
          return std::move(params);
      }()),
      memory_(layer_, params_),
      datapath_(make_pe_datapath(Datapath::XnorPopcount, Encoding::Bipolar, 1, memory_)),
      thresholds_(layer_, params_),
      mutation_(mutation),
      vector_(size_t(shape.fan_in()), 0),
      cycle_sig_("cycle") {
    SC_METHOD(clock_edge);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(handshake);
    sensitive << out_ready << out_valid << cycle_sig_;
}

bool XnorPeArrayModel::stalled_by_mutation() const {
    return mutation_.kind == Mutation::Kind::Cycle && cycle_sig_.read() == mutation_.cycle;
}

void XnorPeArrayModel::take_beat(uint64_t act) {
    for (int i = 0; i < shape_.simd; ++i)
        vector_[size_t(beat_) * size_t(shape_.simd) + size_t(i)] = int32_t((act >> i) & 1u);
    slot0_.valid = false;
    if (++beat_ < shape_.synapse_folds) return;
    // The fold's last beat: the dot products of its PE channels and their codes.
    beat_ = 0;
    datapath_->load_input(vector_.data());
    slot0_.valid = true;
    slot0_.acc.assign(size_t(shape_.pe), 0);
    slot0_.code.assign(size_t(shape_.pe), 0);
    for (int p = 0; p < shape_.pe; ++p) {
        const int n = fold_ * shape_.pe + p;
        const int64_t acc = datapath_->dot(n);
        slot0_.acc[size_t(p)] = acc;
        slot0_.code[size_t(p)] = uint32_t(thresholds_.apply(acc, n));
    }
    fold_ = (fold_ + 1) % shape_.neuron_folds;
}

void XnorPeArrayModel::clock_edge() {
    if (!rst_n.read()) {
        cycle_ = 0;
        cycle_sig_.write(0);
        beat_ = fold_ = 0;
        slot0_ = slot1_ = Result{};
        out_valid.write(false);
        return;
    }
    if (in_ready.read()) {  // the array advances in this cycle
        slot1_ = slot0_;
        slot0_.valid = false;
        if (in_valid.read()) take_beat(in_act.read());
        out_valid.write(slot1_.valid);
        if (slot1_.valid)
            for (int p = 0; p < shape_.pe; ++p) {
                out_acc[size_t(p)].write(slot1_.acc[size_t(p)]);
                out_code[size_t(p)].write(slot1_.code[size_t(p)]);
            }
    }
    cycle_sig_.write(++cycle_);
}

void XnorPeArrayModel::handshake() {
    in_ready.write((!out_valid.read() || out_ready.read()) && !stalled_by_mutation());
}

}  // namespace qsim::cosim
