// The decompressor-fed PE array's cycles fall with sparsity as the effective-cost model of
// thesis ch. 3.4.4 predicts: six identical arrays (an fc layer of 1024 x 64 ternary weights, 4
// decompressor lanes, a batch of R = 8 PEs each) at six densities gamma, simulated side by side
// in one SystemC run. Their cycles follow gamma (C_e = gamma (C_op + C_d / R) on a fixed
// array), the expected-entries rule exactly, and their throughput, scaled to the KU115's compute
// budget by the array's cost, the effective throughput T_e = f / C_e.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "models/common/rng.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "models/decompressor/sparse_pe_array.hpp"
#include "models/network/param_generator.hpp"
#include "models/resources/effective_throughput.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace sparse_cycles_test {

constexpr int kBatch = 8, kLanes = 4, kInputs = 1024, kOutputs = 64;

LayerConfig fc_layer(double gamma) {
    LayerConfig l = testing_support::fc_layer("fc", {1, 1, kInputs}, kOutputs);
    testing_support::set_operands(l, Encoding::Bipolar, 1, {WeightQuant::Ternary, 2, 0.05, 1.0},
                                  {ActivationType::Bipolar, 1});
    l.folding = {kLanes, 1, 1};
    l.decompressor.enabled = true;
    l.decompressor.batch = kBatch;
    l.decompressor.delta_bits = 7;
    l.decompressor.expected_density = gamma;
    return l;
}

// One array between a feeder of one batch of frames and a collector, named after its density.
struct Point : sc_core::sc_module {
    Point(sc_core::sc_module_name n, const LayerConfig& l, const LayerParams& p, std::vector<StreamRow> rows)
        : sc_core::sc_module(n),
          feeder("feeder", period, std::move(rows), 0),
          in("in", 2),
          out("out", 2),
          array("pe_array", l, p, kBatch, period),
          collector("collector", period) {
        feeder.out(in);
        array.in(in);
        array.out(out);
        collector.in(out);
    }
    const sc_core::sc_time period = testbench::test_period();
    testbench::RowFeeder feeder;
    RowFifo in, out;
    SparsePeArray array;
    testbench::RowCollector collector;
};

TEST(SparseCycles, FallWithSparsityAsTheEffectiveCostModelPredicts) {
    const std::vector<double> gammas = {1.0, 0.5, 0.25, 0.1, 0.05, 0.024};
    std::vector<std::unique_ptr<Point>> points;
    std::vector<LayerConfig> layers;
    for (size_t i = 0; i < gammas.size(); ++i) {
        const LayerConfig l = fc_layer(gammas[i]);
        NetworkConfig net;
        net.input.shape = l.in;
        net.layers.push_back(l);
        const NetworkParams params = generate_params(net, 17 + i, 1.0 - gammas[i]);
        std::vector<StreamRow> rows;
        Rng rng(i);
        for (int f = 0; f < kBatch; ++f) {
            StreamRow r = StreamRow::shaped(f, 0, 1, kInputs);
            for (auto& v : r.data) v = int32_t(rng.below(2));
            rows.push_back(std::move(r));
        }
        layers.push_back(l);
        points.push_back(std::make_unique<Point>(("gamma" + std::to_string(i)).c_str(), l, params.layers[0], rows));
    }
    sc_core::sc_start();

    DeviceConfig ku115;
    ku115.name = "KU115";
    ku115.lut = 663360;  // configs/devices.yaml
    ku115.dsp = 5520;
    const SparseCostModel model = sparse_cost_model(ku115, SparseDatapath::XnorPopcount, 250.0);
    const double dense = double(points[0]->array.stats().busy_cycles);
    EXPECT_EQ(dense, double(kOutputs / kLanes) * (kInputs + 1));  // every weight and an end per row
    double previous = dense * 2;
    for (size_t i = 0; i < gammas.size(); ++i) {
        const double g = gammas[i];
        const double cycles = double(points[i]->array.stats().busy_cycles);  // one batch = one pass
        ASSERT_EQ(points[i]->collector.rows.size(), size_t(kBatch));
        SCOPED_TRACE("gamma " + std::to_string(g) + ": " + std::to_string(uint64_t(cycles)) + " cycles");
        EXPECT_LT(cycles, previous);  // strictly fewer cycles as the zeros grow
        previous = cycles;
        // The expected-entries rule (nonzeros, skips, ends of row): the mean lane within 3%, the
        // slowest lane (which sets the pass) within 10%.
        double lane_sum = 0;
        for (int d = 0; d < kLanes; ++d) lane_sum += double(points[i]->array.decompressor(d).stats().cycles);
        const double expected = double(expected_pass_cycles(layers[i]));
        EXPECT_NEAR(lane_sum / kLanes / expected, 1.0, 0.03);
        EXPECT_NEAR(cycles / expected, 1.0, 0.10);
        EXPECT_GE(cycles * kLanes, lane_sum);
        // On a fixed array C_e scales with gamma: cycles / dense cycles = gamma, up to the end of
        // row entries and skips the model leaves out (at most 12% here).
        EXPECT_NEAR(cycles / dense / g, 1.0, 0.12);
        // Simulated effective throughput on the device's budget vs T_e = 2 f / C_e.
        const double macs = double(kInputs) * kOutputs * kBatch;  // dense MACs of the batch
        const double simulated = 2.0 * macs / (cycles / 250e6) / model.array_cost(kLanes, kBatch);
        EXPECT_NEAR(simulated / model.effective_ops(g, kBatch), 1.0, 0.12);
    }
}

}  // namespace sparse_cycles_test
}  // namespace qsim
