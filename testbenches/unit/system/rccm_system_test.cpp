// System tests of the AddNet designs (thesis ch. 6.6.3): the AlexNet variant with RCCM
// multipliers as a dataflow behind the PCIe host link, simulated bit-true (every layer against
// the golden reference, as `sim --check` does) on a reduced input, and the single-layer loopback
// accelerator. The RCCM PEs multiply once per lane per clock, so each layer takes the MVTU's
// cycles: output pixels x fan_in / SIMD with one PE per output map.
#include <gtest/gtest.h>

#include <string>

#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace rccm_system_test {

RunResult run(const std::string& config, const std::map<std::string, std::string>& sets) {
    const NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/" + config, sets);
    SimOptions options;
    options.frames = 2;
    options.check = true;
    return simulate(net, load_params(net), options);
}

TEST(RccmSystem, AlexNetVariantWith2AddRccmsIsBitTrueAndTakesTheMvtuCycles) {
    // size 64: conv1 29x29x96 (4-Add), pool1 14x14, conv2 7x7x256, pool2 3x3, conv3..conv5 3x3.
    const RunResult r = run("addnet_alexnet.yaml", {{"size", "64"}});
    ASSERT_FALSE(r.deadlock);
    ASSERT_EQ(r.frames_completed, 2);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    ASSERT_EQ(r.layers.size(), 8u);
    for (const LayerResult& l : r.layers) {
        if (l.type != "conv") continue;
        EXPECT_EQ(l.datapath, "rccm") << l.name;
        // One PE per output map, fan_in / SIMD clocks per output pixel.
        const uint64_t fan_in = uint64_t(l.in.channels) * (l.name == "conv1" ? 49 : l.name == "conv2" ? 25 : 9);
        EXPECT_EQ(l.estimate_per_frame, uint64_t(l.out.height) * l.out.width * fan_in / uint64_t(l.folding.simd))
            << l.name;
        EXPECT_EQ(l.busy_per_frame, l.estimate_per_frame) << l.name;
    }
    EXPECT_EQ(r.resources.total.dsp, 48u);  // the PCIe IP's only
    EXPECT_TRUE(r.host.enabled);
}

TEST(RccmSystem, AlexNetVariantWith4AddRccmsIsBitTrue) {
    const RunResult r = run("addnet_alexnet.yaml", {{"size", "64"}, {"rccm", "4add"}});
    ASSERT_EQ(r.frames_completed, 2);
    EXPECT_TRUE(r.check.passed) << r.check.message;
}

TEST(RccmSystem, LoopbackConvLayerWith3AddRccmsIsBitTrue) {
    const RunResult r = run("addnet_conv_layer.yaml", {{"rccm", "3add"}});
    ASSERT_EQ(r.frames_completed, 2);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_EQ(r.host.architecture, HostArchitecture::Loopback);
    EXPECT_TRUE(r.resources.modelled);
    EXPECT_EQ(r.resources.block_total("loopback", "mvtu").bram18, 2048u);  // one 18K block per PE
}

}  // namespace rccm_system_test
}  // namespace qsim
