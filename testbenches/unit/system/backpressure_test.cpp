// System tests: a slow layer sets the interval and stalls every block before it through the
// bounded FIFOs (backpressure), while the blocks after it starve; a line buffer too small for
// the next frame's first rows makes its window side wait at every frame boundary.
#include <gtest/gtest.h>

#include <string>

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

// One 3x3 convolution whose window side is the slowest block (PE = filters, so the MVTU takes
// exactly as long; the source sends a 20-pixel row in 20 cycles, the write side takes it in 20).
std::string window_bound(const std::string& padding, int buffer_rows) {
    return "name: window_bound\n"
           "device: {clock_mhz: 100}\n"
           "input: {height: 20, width: 20, channels: 2, bits: 4, stream_bits: 8}\n"
           "run: {frames: 6}\n"
           "layers:\n"
           "  - {name: c, type: conv, kernel: 3, padding: " + padding + ", filters: 4, weights: {quant: binary},\n"
           "     activation: {type: thresholds, bits: 2}, folding: {pe: 4, simd: 2}" +
           (buffer_rows > 0 ? ", swu_buffer_rows: " + std::to_string(buffer_rows) : std::string()) + "}\n";
}

struct BoundaryCase {
    std::string padding;
    int buffer_rows;
    uint64_t windows;  // H_out * W_out * K*K * ceil(C/SIMD)
    uint64_t wait;     // rows still to write after the last window row, 20 cycles each
};

class FrameBoundary : public ::testing::TestWithParam<BoundaryCase> {};

// One simulation per process: each case is its own test.
TEST_P(FrameBoundary, TheWindowSideWaitsForTheNextFramesRowsAndTheEstimateSaysSo) {
    const BoundaryCase& c = GetParam();
    const NetworkConfig net = parse_network_config(window_bound(c.padding, c.buffer_rows), "window_bound.yaml");
    const RunResult r = simulate(net, load_params(net), SimOptions{});
    ASSERT_FALSE(r.deadlock);
    EXPECT_EQ(r.layers[0].swu_read_busy_per_frame, c.windows);
    EXPECT_EQ(r.interval_cycles, c.windows + c.wait);
    EXPECT_EQ(r.estimate_interval_cycles, r.interval_cycles);
}

// valid, K + S = 4 rows: the last window row holds input rows 17-19, one slot takes row 0 of the
// next frame, rows 1 and 2 come after (2 x 20 cycles). Six rows hold them all; with 'same'
// padding the last window row holds rows 18-19 and the first needs rows 0-1.
INSTANTIATE_TEST_SUITE_P(Backpressure, FrameBoundary,
                         ::testing::Values(BoundaryCase{"valid", 0, 18u * 18 * 9, 40},
                                           BoundaryCase{"valid", 6, 18u * 18 * 9, 0},
                                           BoundaryCase{"same", 0, 20u * 20 * 9, 0}),
                         [](const ::testing::TestParamInfo<BoundaryCase>& i) {
                             return i.param.padding + "_" + std::to_string(i.param.buffer_rows) + "_rows";
                         });

}  // namespace backpressure_test
}  // namespace qsim
