#include "testbenches/cosim/tlm_faces.hpp"

#include <chrono>
#include <stdexcept>

#include "models/common/int_math.hpp"
#include "models/common/rng.hpp"
#include "models/mvtu/mvtu.hpp"
#include "models/network/param_generator.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"

namespace qsim::cosim {

namespace {

constexpr int kRccmFanIn = 64, kRccmChannels = 16;

// The fc layer an RCCM block's products run in: 8- or 16-bit inputs times the RCCM's
// coefficients, the raw accumulators out (lambda scales them after the fan-in).
LayerConfig rccm_layer(const BlockInfo& b) {
    LayerConfig l;
    l.name = "rccm_fc";
    l.type = LayerType::Fc;
    l.in = {1, 1, kRccmFanIn};
    l.out = {1, 1, kRccmChannels};
    l.filters = kRccmChannels;
    l.folding = {1, 1, 1};
    l.in_encoding = b.input_signed ? Encoding::Signed : Encoding::Unsigned;
    l.in_bits = b.input_bits;
    l.weights.quant = WeightQuant::Rccm;
    l.weights.rccm = b.rccm;
    l.weights.bits = rccm_select_bits(b.rccm);
    l.activation.type = ActivationType::None;
    l.activation.bits = 32;
    l.out_encoding = Encoding::Accumulator;
    l.out_bits = 32;
    l.datapath = Datapath::Rccm;
    l.activation_unit = LayerConfig::ActivationUnit::AfterFanIn;
    return l;
}

// `count` input vectors of the layer's encoding, one row each.
std::vector<StreamRow> vectors(const LayerConfig& l, uint64_t count, uint64_t seed) {
    Rng rng(seed);
    const auto [lo, hi] = value_range(l.in_encoding, l.in_bits);
    const int depth = int(l.in.elements());
    std::vector<StreamRow> rows;
    rows.reserve(count);
    for (uint64_t v = 0; v < count; ++v) {
        StreamRow r = StreamRow::shaped(int(v), 0, 1, depth);
        for (auto& x : r.data) {
            // Codes: bipolar 0/1, otherwise the value itself.
            const int64_t value = lo + int64_t(rng.below(uint32_t(hi - lo + 1)));
            x = l.in_encoding == Encoding::Bipolar ? int32_t(value > 0) : int32_t(value);
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

// feeder -> FIFO -> MVTU -> FIFO -> collector at the study's clock (the cosim faces have fixed
// the time resolution already, so not testbench::BlockBench, which sets its own).
struct TlmBench {
    TlmBench(std::vector<StreamRow> rows, const LayerConfig& layer, const LayerParams& params, sc_core::sc_time period)
        : feeder("feeder", period, std::move(rows), 0),
          in("in", 2),
          out("out", 2),
          mvtu("mvtu", layer, params, period),
          collector("collector", period, 0) {
        feeder.out(in);
        mvtu.in(in);
        mvtu.out(out);
        collector.in(out);
    }
    testbench::RowFeeder feeder;
    RowFifo in, out;
    Mvtu mvtu;
    testbench::RowCollector collector;
};

}  // namespace

TlmRun run_tlm(const BlockInfo& b, uint64_t results, uint64_t seed) {
    LayerConfig layer;
    LayerParams params;
    uint64_t per_vector = 0;
    if (b.kind == BlockInfo::Kind::PeArray) {
        layer = pe_array_layer(b.shape);
        params = pe_array_params(b.shape, seed);
        per_vector = uint64_t(b.shape.neuron_folds);  // output beats of PE channels
    } else {
        layer = rccm_layer(b);
        NetworkConfig net;
        net.name = "rccm";
        net.input.shape = layer.in;
        net.input.bits = layer.in_bits;
        net.layers.push_back(layer);
        params = generate_params(net, seed, 0.0).layers.at(0);
        per_vector = uint64_t(kRccmFanIn) * kRccmChannels;  // products
    }
    const uint64_t count = std::max<uint64_t>(1, ceil_div(results, per_vector));
    const sc_core::sc_time period(10, sc_core::SC_NS);
    TlmBench bench(vectors(layer, count, seed + 1), layer, params, period);
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    TlmRun r;
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (bench.collector.rows.size() != count)
        throw std::runtime_error("TLM run of " + b.name + ": " + std::to_string(bench.collector.rows.size()) + " of " +
                                 std::to_string(count) + " vectors came out");
    r.transactions = count;
    r.results = count * per_vector;
    r.cycles = bench.collector.taken_at.empty() ? 0 : bench.collector.taken_at.back();
    return r;
}

}  // namespace qsim::cosim
