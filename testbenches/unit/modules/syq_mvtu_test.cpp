// Module tests of SYQ scaling (thesis ch. 5.7.2, Fig. 5.3): the scaling ring counter block
// through ring2mul, and the SYQ MVTU's rows bit-true against the golden reference with the
// layer-wise MVTU's cycles, its ring counter back at the first factor after every window.
#include <gtest/gtest.h>

#include <set>

#include "models/common/rng.hpp"
#include "models/mvtu/mvtu_timing.hpp"
#include "models/network/param_generator.hpp"
#include "models/swu/window_kernel.hpp"
#include "models/syq/syq_mvtu.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/modules/stream_testbench.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace syq_mvtu_test {

class Multiplier : public sc_core::sc_module {
public:
    sc_core::sc_port<ScaleIf> ring2mul;
    SC_HAS_PROCESS(Multiplier);
    explicit Multiplier(sc_core::sc_module_name n) : sc_core::sc_module(n), ring2mul("ring2mul") { SC_THREAD(run); }
    std::vector<int32_t> seen;

private:
    void run() {
        for (int i = 0; i < 7; ++i) {
            seen.push_back(ring2mul->factor());
            ring2mul->advance();
        }
    }
};

TEST(ScalingRingCounter, FeedsTheMultiplierInOrderAndWraps) {
    ScalingRingCounter ring("ring", {11, 22, 33}, 4);
    Multiplier mul("mul");
    mul.ring2mul(ring.ring2mul);
    sc_core::sc_start();
    EXPECT_EQ(mul.seen, (std::vector<int32_t>{11, 22, 33, 11, 22, 33, 11}));
    EXPECT_EQ(ring.position(), 1u);
    EXPECT_EQ(ring.kernel().folds_per_group(), 4u);
}

TEST(SyqMvtu, RowsAreBitTrueWithTheLayerWiseCycles) {
    LayerConfig l = testing_support::conv_layer("conv", 3, 1, 1, {5, 6, 8}, 6);
    testing_support::set_operands(l, Encoding::Unsigned, 2, {WeightQuant::Binary, 1, 0.0, 1.0},
                                  {ActivationType::Thresholds, 2});
    l.folding = {3, 4, 2};
    l.scaling = {ScalingGranularity::Pixel, 8};
    NetworkConfig net;
    net.input.shape = l.in;
    net.layers.push_back(l);
    const NetworkParams params = generate_params(net, 13, 0.0);
    FeatureMap in(l.in);
    Rng rng(6);
    for (auto& v : in.data) v = int32_t(rng.below(4));
    std::vector<StreamRow> windows;
    for (int r = 0; r < l.out.height; ++r) {
        StreamRow w = StreamRow::shaped(0, r, l.out.width, int(l.fan_in()));
        build_window_row(l, testing_support::window_input_rows(l, in, r).data(), w.data.data());
        windows.push_back(std::move(w));
    }
    testbench::BlockBench<SyqMvtu> bench(windows, {}, "syq_mvtu", l, params.layers[0]);
    sc_core::sc_start();
    const FeatureMap expected = golden::run_layer(l, params.layers[0], in);
    ASSERT_EQ(bench.collector.rows.size(), 5u);
    // 18 synapse folds x 2 neuron folds x 3 pixel groups, as the layer-wise MVTU.
    ASSERT_EQ(mvtu_cycles_per_row(l), 108u);
    for (int r = 0; r < 5; ++r) {
        const auto first = expected.data.begin() + r * 6 * 6;
        EXPECT_EQ(bench.collector.rows[size_t(r)].data, std::vector<int32_t>(first, first + 36)) << "row " << r;
        EXPECT_EQ(bench.collector.taken_at[size_t(r)], 108u * uint64_t(r + 1));
    }
    // 9 factors per window, 30 windows: 270 advances, back at the first factor.
    EXPECT_EQ(bench.block.ring_counter().kernel().advances(), 270u);
    EXPECT_EQ(bench.block.ring_counter().position(), 0u);
    EXPECT_EQ(bench.block.scaled_products(), 270u * 6);
    std::set<int32_t> codes(expected.data.begin(), expected.data.end());
    EXPECT_EQ(codes.size(), 4u);  // the thresholds spread the scaled accumulator over all codes
}

}  // namespace syq_mvtu_test
}  // namespace qsim
