// System tests of depthwise convolution (groups = channels: the vector-vector unit, PE over
// channels and SIMD over the kernel positions; docs/graphs.md): a MobileNet-style block
// (3x3 conv, depthwise 3x3 stride 2 with MMV 2, pointwise 1x1, global average pooling, fc)
// runs bit-true, the depthwise layer takes H_out x W_out/MMV x C/PE x K*K/SIMD cycles a frame
// in its SWU and unit alike, the simulation keeps the analytical interval, and the folding
// rules of the unit are checked with the field named.
#include <gtest/gtest.h>

#include <string>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/resources/resource_model.hpp"
#include "models/swu/swu_timing.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace depthwise_test {

std::string block(const std::string& dw_folding) {
    return R"(name: dw_block
device: { name: generic, clock_mhz: 200 }
input: { height: 16, width: 16, channels: 8, bits: 4 }
run: { frames: 3 }
layers:
  - { name: c0, type: conv, kernel: 3, padding: same, filters: 16, weights: { quant: uniform, bits: 4 },
      activation: { type: thresholds, bits: 4 }, folding: { pe: 16, simd: 8 } }
  - { name: dw, type: conv, kernel: 3, stride: 2, padding: same, filters: 16, groups: 16,
      weights: { quant: uniform, bits: 4 }, activation: { type: thresholds, bits: 4 }, folding: )" +
           dw_folding + R"( }
  - { name: pw, type: conv, kernel: 1, filters: 32, weights: { quant: binary },
      activation: { type: thresholds, bits: 2 }, folding: { pe: 8, simd: 16 } }
  - { name: gap, type: global_avgpool }
  - { name: fc, type: fc, filters: 10, weights: { quant: binary }, activation: { type: none },
      folding: { pe: 10, simd: 32 } }
)";
}

TEST(Depthwise, AMobileNetStyleBlockRunsBitTrueAtTheVectorVectorUnitsRate) {
    const NetworkConfig net = parse_network_config(block("{ pe: 4, simd: 3, mmv: 2 }"), "dw.yaml");
    const LayerConfig& dw = net.layers[1];
    ASSERT_TRUE(dw.is_depthwise());
    EXPECT_FALSE(net.layers[0].is_depthwise());
    // 8 x 8 outputs, 2 a clock: 8 x 4 pixel steps, each 16/4 channel folds x 9/3 position folds.
    EXPECT_EQ(swu_window_cycles_per_frame(dw), 8u * 4 * 4 * 3);
    EXPECT_EQ(swu_input_cycles_per_row(dw), 16u * (16 / 4));  // 16 pixels, 4 channels (PE) a clock
    SimOptions options;
    options.frames = 3;
    options.check = true;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_EQ(r.interval_cycles, r.estimate_interval_cycles);
    EXPECT_EQ(r.layers[1].busy_per_frame, 384u);
    // The unit keeps no input buffer: its channel folds read other channels' windows.
    for (const ResourceItem& it : r.resources.items)
        if (it.layer == "dw") EXPECT_NE(it.part, "input buffer");
}

TEST(Depthwise, TheUnitsFoldingRulesNameTheField) {
    auto error_of = [](const std::string& folding) {
        try {
            parse_network_config(block(folding), "dw.yaml");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(error_of("{ pe: 3, simd: 3 }").find("layers[1].folding.pe: must divide the channels = 16"),
              std::string::npos);
    EXPECT_NE(error_of("{ pe: 4, simd: 2 }").find("layers[1].folding.simd: must divide the kernel positions K x K = 9"),
              std::string::npos);
    EXPECT_NE(error_of("{ pe: 4, simd: 9 }, reuse: 2").find("layers[1].reuse"), std::string::npos);
    EXPECT_EQ(error_of("{ pe: 16, simd: 9, mmv: 4 }"), "");
}

}  // namespace depthwise_test
}  // namespace qsim
