// System tests of 1-D layers (`kernel_width: 1`, docs/graphs.md): K x 1 windows sliding down an
// H x 1 map, the stride and padding along the height only; convolution (plain, strided and
// depthwise) and max pooling run bit-true against the golden reference at the analytical
// timing (a label select ranking the classifier's accumulators at the end), the golden reference agrees with a direct 1-D convolution, and a 1-D window on a map
// wider than one column is refused with the field named.
#include <gtest/gtest.h>

#include <string>

#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/simulation.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace conv1d_test {

using testing_support::config_error_text;

std::string net(const std::string& first = "kernel: 5, kernel_width: 1, padding: same") {
    return R"(name: audio
device: { name: generic, clock_mhz: 200 }
input: { height: 40, width: 1, channels: 8, bits: 8 }
weights: { generator: { seed: 3 } }
run: { frames: 3 }
layers:
  - { name: c1, type: conv, )" + first + R"(, filters: 16, weights: { quant: uniform, bits: 4 },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 8 } }
  - { name: p1, type: maxpool, kernel: 2, kernel_width: 1 }
  - { name: dw, type: conv, kernel: 3, kernel_width: 1, padding: 1, groups: 16, filters: 16,
      weights: { quant: uniform, bits: 2 }, activation: { type: thresholds, bits: 2 }, folding: { pe: 4, simd: 3 } }
  - { name: c2, type: conv, kernel: 3, kernel_width: 1, stride: 2, filters: 32, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 16 } }
  - { name: gap, type: global_avgpool }
  - { name: fc, type: fc, filters: 12, weights: { quant: binary }, activation: { type: none },
      folding: { pe: 4, simd: 32 } }
  - { name: top, type: topk, k: 3, folding: { simd: 4 } }
)";
}

TEST(Conv1d, ShapesFollowTheHeightOnly) {
    const NetworkConfig n = parse_network_config(net(), "a.yaml");
    const LayerConfig& c1 = n.layers[0];
    EXPECT_TRUE(c1.one_d);
    EXPECT_EQ(c1.pad_begin, 2);  // 'same' along the height; the width is not padded
    EXPECT_EQ(c1.out.height, 40);
    EXPECT_EQ(c1.out.width, 1);
    EXPECT_EQ(c1.fan_in(), 5 * 8);
    EXPECT_EQ(n.layers[1].out.height, 20);
    EXPECT_EQ(n.layers[2].out.height, 20);
    EXPECT_TRUE(n.layers[2].is_depthwise());
    EXPECT_EQ(n.layers[3].out.height, 9);  // (20 - 3) / 2 + 1
    EXPECT_EQ(n.layers[3].out.width, 1);
}

TEST(Conv1d, TheGoldenReferenceIsADirect1dConvolution) {
    const NetworkConfig n = parse_network_config(net(), "a.yaml");
    const LayerConfig& c1 = n.layers[0];
    const NetworkParams params = load_params(n);
    const LayerParams& p = params.layers[0];
    FeatureMap x(c1.in);
    for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = int32_t((i * 37 + 11) % 256);
    LayerConfig raw = c1;
    raw.activation.type = ActivationType::None;  // the accumulator itself
    raw.out_encoding = Encoding::Accumulator;
    const FeatureMap y = golden::run_layer(raw, p, x);
    for (int oy : {0, 1, 17, 39})
        for (int f : {0, 5, 15}) {
            int64_t acc = 0;
            for (int k = 0; k < 5; ++k) {
                const int iy = oy - 2 + k;
                if (iy < 0 || iy >= 40) continue;
                for (int c = 0; c < 8; ++c) acc += int64_t(p.weights[size_t(f * 40 + k * 8 + c)]) * x.at(iy, 0, c);
            }
            EXPECT_EQ(y.at(oy, 0, f), acc) << oy << " " << f;
        }
}

TEST(Conv1d, RunsBitTrueAtTheAnalyticalTiming) {
    const NetworkConfig n = parse_network_config(net(), "a.yaml");
    SimOptions options;
    options.frames = 3;
    options.check = true;
    const RunResult r = simulate(n, load_params(n), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_EQ(r.interval_cycles, r.estimate_interval_cycles);
    // MVTU of c1: H_out * W_out/MMV * fan_in/SIMD * N/PE = 40 * 1 * 5 * 2.
    EXPECT_EQ(r.layers[0].estimate_per_frame, 400u);
    // Depthwise: H_out * ceil(C/PE) * ceil(K/SIMD) = 20 * 4 * 1.
    EXPECT_EQ(r.layers[2].estimate_per_frame, 80u);
    // Pooling: H_out * W_out * K * ceil(C/SIMD) = 20 * 1 * 2 * 1 (SIMD: all 16 channels by default).
    EXPECT_EQ(n.layers[1].folding.simd, 16);
    EXPECT_EQ(r.layers[1].estimate_per_frame, 40u);
    // The label select ranks the fc layer's raw accumulators: ceil(12/4) + 3 cycles, and its
    // module is busy exactly that long a frame.
    EXPECT_EQ(r.layers[6].type, "topk");
    EXPECT_EQ(r.layers[6].estimate_per_frame, 6u);
    EXPECT_EQ(r.layers[6].busy_per_frame, 6u);
    ASSERT_EQ(r.outputs.size(), 3u);
    EXPECT_EQ(r.outputs[0].shape.channels, 3);
}

TEST(Conv1d, AOneColumnWindowNeedsAOneColumnMap) {
    const std::string yaml = R"(name: bad
device: { name: generic, clock_mhz: 200 }
input: { height: 8, width: 4, channels: 2, bits: 8 }
layers:
  - { name: c, type: conv, kernel: 3, kernel_width: 1, filters: 2, weights: { quant: binary },
      activation: { type: none } }
)";
    EXPECT_NE(config_error_text(yaml).find("layers[0].kernel_width: 1 makes a 1-D layer, whose input map must be "
                                           "H x 1; this layer's input is 8 x 4 x 2"),
              std::string::npos)
        << config_error_text(yaml);
    const std::string square = config_error_text(net("kernel: 5, kernel_width: 3"));
    EXPECT_NE(square.find("kernel_width: must be the kernel (5: a square window) or 1"), std::string::npos) << square;
}

}  // namespace conv1d_test
}  // namespace qsim
