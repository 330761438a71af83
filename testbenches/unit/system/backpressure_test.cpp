// System test: a slow layer sets the interval and stalls every block before it through the
// bounded FIFOs (backpressure), while the blocks after it starve.
#include <gtest/gtest.h>

#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace backpressure_test {

const char* kSlowMiddle = R"(name: slow_middle
device: {clock_mhz: 100}
input: {height: 16, width: 16, channels: 4, bits: 4, stream_bits: 16}
run: {frames: 4}
layers:
  - {name: fast1, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},
     activation: {type: thresholds, bits: 2}, folding: {pe: 8, simd: 4, mmv: 4}}
  - {name: slow2, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},
     activation: {type: thresholds, bits: 2}, folding: {pe: 1, simd: 1}}
  - {name: fast3, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: ternary},
     activation: {type: thresholds, bits: 2}, folding: {pe: 8, simd: 8, mmv: 4}}
)";

TEST(Backpressure, ASlowLayerStallsTheLayersBeforeIt) {
    const NetworkConfig net = parse_network_config(kSlowMiddle, "slow_middle.yaml");
    SimOptions options;
    options.check = true;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    const LayerResult& fast1 = r.layers[0];
    const LayerResult& slow2 = r.layers[1];
    const LayerResult& fast3 = r.layers[2];
    // slow2: 72 synapse folds x 8 neuron folds x 16 x 16 pixels per frame.
    EXPECT_EQ(slow2.estimate_per_frame, 72u * 8 * 256);
    EXPECT_EQ(r.interval_cycles, slow2.estimate_per_frame);
    EXPECT_EQ(r.bottleneck_layer, "slow2");
    // Upstream is held back, downstream waits.
    EXPECT_GT(fast1.blocked_cycles, 0u);
    EXPECT_GT(r.blocks.front().blocked_cycles, 0u);  // the host source
    EXPECT_LT(fast1.busy_fraction, 0.1);
    EXPECT_GT(fast3.starved_cycles, 3 * (r.interval_cycles - fast3.busy_per_frame) / 2);
    EXPECT_EQ(fast3.blocked_cycles, 0u);
}

}  // namespace backpressure_test
}  // namespace qsim
