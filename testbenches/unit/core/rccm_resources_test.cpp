// Core tests of the resource rules of the AddNet designs (docs/resources.md, docs/rccm.md): the
// RCCM adder widths (Fig. 6.3, ch. 6.7.1), the true dual-port block RAM widths (ch. 6.6.4), the
// activation after the fan-in, and the loopback accelerator's PE array.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/design/config_loader.hpp"
#include "models/resources/bram_mapping.hpp"
#include "models/resources/cost_model.hpp"
#include "models/resources/rccm_resources.hpp"
#include "models/resources/resource_model.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace rccm_resources_test {

const RccmKind kKinds[] = {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4};

LayerConfig rccm_fc(int fan_in, int n, RccmKind kind, Encoding in, int in_bits, int pe, int simd,
                    ActivationConfig act = {ActivationType::Relu, 8}) {
    return testing_support::rccm_fc_layer(fan_in, n, kind, in, in_bits, pe, simd, act);
}

// ch. 6.7.1 (Fig. 6.8): the 2-Add, 3-Add and 4-Add RCCMs grow 2, 3 and 4 LUTs per input bit,
// the generic 8 x w_in multiplier about 7.4; at 9 bits the 2-Add and 3-Add save 55.2% and 32.8%.
TEST(RccmResources, AdderWidthsGrowOneLutPerStagePerInputBit) {
    EXPECT_EQ(rccm_stage_adder_bits(rccm_circuit(RccmKind::Add2), 9, true), (std::vector<int>{13, 16}));
    for (RccmKind kind : kKinds) {
        const int stages = int(rccm_circuit(kind).stages.size());
        for (int w = 3; w < 16; ++w) {
            LayerConfig a = rccm_fc(4, 1, kind, Encoding::Signed, w, 1, 1);
            LayerConfig b = rccm_fc(4, 1, kind, Encoding::Signed, w + 1, 1, 1);
            EXPECT_EQ(cost::rccm_multiplier_luts(b) - cost::rccm_multiplier_luts(a), uint64_t(stages))
                << rccm_name(kind) << " at " << w << " bits";
        }
    }
    auto saving = [](RccmKind kind) {
        LayerConfig l = rccm_fc(4, 1, kind, Encoding::Signed, 9, 1, 1);
        return 100.0 * (1.0 - double(cost::rccm_multiplier_luts(l)) / double(cost::lut_multiplier_luts(8, 9)));
    };
    EXPECT_NEAR(saving(RccmKind::Add2), 55.2, 5.0);
    EXPECT_NEAR(saving(RccmKind::Add3), 32.8, 5.0);
}

TEST(RccmResources, TrueDualPortBramsAreAtMost18BitsWide) {
    EXPECT_EQ(map_memory(37, 32).bram18, 1u);                       // 512 x 36
    EXPECT_EQ(map_memory(37, 32, BramPorts::TrueDual).bram18, 2u);  // two 1K x 18: one BRAM36
    EXPECT_EQ(map_memory(2304, 4, BramPorts::TrueDual).bram18, 1u);  // 4K x 4
    EXPECT_EQ(map_memory(2304, 8, BramPorts::TrueDual).bram18, 2u);  // 2K x 9 is too shallow
    EXPECT_EQ(map_memory(600, 16, BramPorts::TrueDual).bram18, 1u);
}

TEST(RccmResources, LoopbackAcceleratorIsOnePeArraySizedForTheLargestLayer) {
    // The single-layer loopback accelerator of configs/addnet_conv_layer.yaml: 2,048 PEs x 2 lanes.
    const NetworkConfig cfg = parse_network_config(
        "name: t\n"
        "device: {clock_mhz: 250}\n"
        "input: {height: 7, width: 7, channels: 512}\n"
        "host: {architecture: loopback, loopback: {pes: 2048, simd: 2}}\n"
        "layers:\n"
        "  - {name: conv, type: conv, kernel: 1, filters: 2048, weights: {quant: rccm, rccm: 2add},\n"
        "     activation: {type: relu, bits: 8}, multipliers: lut, folding: {pe: 2048, simd: 2}}\n",
        "t.yaml");
    const LayerConfig e = loopback_engine_layer(cfg);
    EXPECT_EQ(e.folding.pe, 2048);
    EXPECT_EQ(e.folding.simd, 2);
    EXPECT_EQ(e.fan_in(), 512);
    const ResourceReport rep = estimate_resources(cfg);
    EXPECT_TRUE(rep.modelled);
    // One 18K block per PE for 256 words of 8 bits (p = 2 x 4-bit select indices).
    EXPECT_EQ(rep.block_total("loopback", "mvtu").bram18, 2048u);
    EXPECT_EQ(rep.total.dsp, 48u);  // the PCIe IP's; the multipliers are LUTs
    EXPECT_GT(rep.block_total("loopback", "mvtu").lut, 2048u * 2 * 29);  // two 2-Add RCCMs per PE at least
}

TEST(RccmResources, ActivationAfterTheFanInIsCountedPerLaneNotPerPe) {
    // A 3x3x4 conv of 8 filters (fan-in 36), ReLU to 8 bits.
    LayerConfig c = rccm_fc(36, 8, RccmKind::Add2, Encoding::Unsigned, 8, 1, 1);
    EXPECT_EQ(fan_in_lanes(c), 1u);  // 1 PE, 1 lane
    LayerConfig wide = c;
    wide.folding = {8, 4, 1};  // 8 outputs every 36 / 4 = 9 cycles: one lane
    EXPECT_EQ(fan_in_lanes(wide), 1u);
    wide.folding = {8, 36, 1};  // 8 outputs every cycle: 8 lanes
    EXPECT_EQ(fan_in_lanes(wide), 8u);
    std::vector<ResourceItem> items;
    add_fan_in_activation_resources(wide, ResourceContext{}, items);
    uint64_t dsp = 0;
    for (const auto& it : items) dsp += it.use.dsp;
    EXPECT_EQ(dsp, 16u);  // lambda and requantisation multiplier per lane, `multipliers: dsp`
}

}  // namespace rccm_resources_test
}  // namespace qsim
