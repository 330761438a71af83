// System tests of a concat of more than two streams (an Inception-style block: a 1x1 branch,
// a 1x1 -> 3x3 branch and a max pool -> 1x1 branch with a bipolar output, joined along the
// channels; docs/graphs.md): derivation of the joined codes, the golden reference by hand,
// bit-true simulation, and the count of inputs refused with the field named.
#include <gtest/gtest.h>

#include <string>

#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/simulation.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace concat_many_test {

using testing_support::config_error_text;

std::string net(const std::string& cat = "{ name: cat, type: concat, inputs: [b1, b2b, b3c] }") {
    return R"(name: inception
device: { name: generic, clock_mhz: 200 }
input: { height: 12, width: 12, channels: 3, bits: 8 }
weights: { generator: { seed: 4 } }
run: { frames: 3 }
layers:
  - { name: stem, type: conv, kernel: 3, padding: same, filters: 16, weights: { quant: uniform, bits: 4 },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 16, simd: 3 } }
  - { name: b1, type: conv, kernel: 1, filters: 8, inputs: [stem], weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 16 } }
  - { name: b2a, type: conv, kernel: 1, filters: 8, inputs: [stem], weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 16 } }
  - { name: b2b, type: conv, kernel: 3, padding: same, filters: 8, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 8 } }
  - { name: b3a, type: maxpool, kernel: 3, stride: 1, padding: 1, inputs: [stem] }
  - { name: b3c, type: conv, kernel: 1, filters: 4, weights: { quant: binary },
      activation: { type: bipolar }, folding: { pe: 4, simd: 16 } }
  - )" + cat + R"(
  - { name: gap, type: global_avgpool }
  - { name: fc, type: fc, filters: 10, weights: { quant: binary }, activation: { type: none },
      folding: { pe: 10, simd: 20 } }
  - { name: top, type: topk, k: 2 }
)";
}

TEST(ConcatMany, JoinsThreeBranchesOfTwoEncodings) {
    const NetworkConfig n = parse_network_config(net(), "i.yaml");
    const LayerConfig& cat = n.layers[6];
    ASSERT_EQ(cat.concat_inputs.size(), 3u);
    EXPECT_EQ(cat.out.channels, 8 + 8 + 4);
    // Unsigned 2-bit codes (0..3) and bipolar values (-1, +1): signed, three bits.
    EXPECT_EQ(cat.out_encoding, Encoding::Signed);
    EXPECT_EQ(cat.out_bits, 3);
    EXPECT_EQ(cat.concat_inputs[2].encoding, Encoding::Bipolar);
    // The golden reference by hand at one pixel.
    FeatureMap a(FmShape{12, 12, 8}), b(FmShape{12, 12, 8}), c(FmShape{12, 12, 4});
    for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = int32_t(i % 4);
    for (size_t i = 0; i < b.data.size(); ++i) b.data[i] = int32_t((i / 3) % 4);
    for (size_t i = 0; i < c.data.size(); ++i) c.data[i] = int32_t((i / 5) % 2);
    const FeatureMap y = golden::run_concat(cat, {&a, &b, &c});
    for (int ch = 0; ch < 8; ++ch) {
        EXPECT_EQ(y.at(5, 7, ch), a.at(5, 7, ch));
        EXPECT_EQ(y.at(5, 7, 8 + ch), b.at(5, 7, ch));
    }
    for (int ch = 0; ch < 4; ++ch) EXPECT_EQ(y.at(5, 7, 16 + ch), 2 * c.at(5, 7, ch) - 1);
}

TEST(ConcatMany, RunsBitTrue) {
    const NetworkConfig n = parse_network_config(net(), "i.yaml");
    SimOptions options;
    options.frames = 3;
    options.check = true;
    const RunResult r = simulate(n, load_params(n), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_EQ(r.layers[6].type, "concat");
    // W * ceil(C / SIMD) a row, SIMD all 20 channels: 12 * 12 a frame.
    EXPECT_EQ(r.layers[6].estimate_per_frame, 144u);
    EXPECT_EQ(r.layers[6].busy_per_frame, 144u);
}

TEST(ConcatMany, NeedsTwoOrMoreInputs) {
    const std::string e = config_error_text(net("{ name: cat, type: concat, inputs: [b1] }"));
    EXPECT_NE(e.find("layers[6].inputs: expected two or more layers (a concat layer joins streams), got 1"),
              std::string::npos)
        << e;
}

}  // namespace concat_many_test
}  // namespace qsim
