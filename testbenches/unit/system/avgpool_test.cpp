// System tests of windowed average pooling (type avgpool, docs/graphs.md): the pooling unit
// sums each K x K window (the 1/K^2 left to the next layer's thresholds), in the fewest bits
// that hold the sum, at the max pool's timing; it runs bit-true against the golden reference,
// and padding, which would count in the sum, is refused with the field named.
#include <gtest/gtest.h>

#include <string>

#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace avgpool_test {

std::string net(const std::string& pool) {
    return R"(name: avg
device: { name: generic, clock_mhz: 200 }
input: { height: 12, width: 12, channels: 4, bits: 8 }
run: { frames: 3 }
layers:
  - { name: c1, type: conv, kernel: 3, padding: same, filters: 8, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 4 } }
  - )" + pool + R"(
  - { name: c2, type: conv, kernel: 1, filters: 4, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 4, simd: 8 } }
)";
}

TEST(AvgPool, TheWindowSumRunsBitTrueAtTheMaxPoolsTiming) {
    const NetworkConfig n = parse_network_config(net("{ name: p, type: avgpool, kernel: 3, stride: 3 }"), "a.yaml");
    const LayerConfig& p = n.layers[1];
    EXPECT_EQ(p.out.height, 4);
    EXPECT_EQ(p.stride, 3);
    // Nine 2-bit codes: 0 .. 27, five bits, unsigned.
    EXPECT_EQ(p.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(p.out_bits, 5);
    EXPECT_EQ(n.layers[2].in_bits, 5);
    // The golden reference by hand on one window.
    FeatureMap x(p.in);
    for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = int32_t((i * 7) % 4);
    const FeatureMap y = golden::run_layer(p, LayerParams{}, x);
    int32_t sum = 0;
    for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) sum += x.at(3 + ky, 6 + kx, 2);
    EXPECT_EQ(y.at(1, 2, 2), sum);
    SimOptions options;
    options.frames = 3;
    options.check = true;
    const RunResult r = simulate(n, load_params(n), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_EQ(r.interval_cycles, r.estimate_interval_cycles);
    EXPECT_EQ(r.layers[1].type, "avgpool");
    // H_out * W_out * K*K * ceil(C/SIMD): 4 * 4 * 9 * 1.
    EXPECT_EQ(r.layers[1].estimate_per_frame, 144u);
}

TEST(AvgPool, PaddingWouldCountInTheSumAndIsRefused) {
    try {
        parse_network_config(net("{ name: p, type: avgpool, kernel: 3, stride: 2, padding: 1 }"), "a.yaml");
        FAIL() << "padding accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("layers[1].padding: an avgpool layer sums its windows"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace avgpool_test
}  // namespace qsim
