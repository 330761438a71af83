// System tests: the frame rates of the thesis's AlexNet and TinyYolo designs (Table 4.3),
// reproduced by simulating the configs bit-true. Published figures are expectations here,
// with the tolerance the project promises; the model never sees them.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>

#include "models/network/config_loader.hpp"
#include "testbenches/sim/simulation.hpp"

namespace qsim {
namespace {

struct Published {
    const char* config;
    double fps;          // Table 4.3
    bool check_bits;     // also compare every layer with the golden reference
};

// Printed by gtest and ctest as the test label.
void PrintTo(const Published& d, std::ostream* os) { *os << d.config; }

class PublishedFps : public ::testing::TestWithParam<Published> {};

TEST_P(PublishedFps, WithinFivePercentOfTable43) {
    const Published p = GetParam();
    const NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/" + p.config + ".yaml");
    SimOptions options;
    options.frames = 2;
    options.check = p.check_bits;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    ASSERT_EQ(r.frames_completed, 2);
    const double error = (r.frames_per_second - p.fps) / p.fps;
    EXPECT_LT(std::fabs(error), 0.05) << p.config << ": simulated " << r.frames_per_second << " FPS, published "
                                      << p.fps << " (" << 100 * error << "%)";
    // The simulated interval agrees with the analytical one (no stalls the closed form misses).
    EXPECT_EQ(r.interval_cycles, r.estimate_interval_cycles);
    if (p.check_bits) {
        EXPECT_TRUE(r.check.passed) << r.check.message;
    }
}

INSTANTIATE_TEST_SUITE_P(Table43, PublishedFps,
                         ::testing::Values(Published{"alexnet_original", 3265, true},
                                           Published{"alexnet_pruned30", 3530, true},
                                           Published{"alexnet_pruned40", 3797, true},
                                           Published{"tinyyolo_original", 1189, false},
                                           Published{"tinyyolo_pruned50", 1226, false}),
                         [](const ::testing::TestParamInfo<Published>& info) { return std::string(info.param.config); });

TEST(PublishedDesigns, AlexNetIsBoundByTheFirstLayerInputStream) {
    const NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/alexnet_pruned40.yaml");
    SimOptions options;
    options.frames = 2;
    const RunResult r = simulate(net, load_params(net), options);
    // One 24-bit RGB pixel per clock: 224 x 224 cycles per frame; every conv layer balanced below it.
    EXPECT_EQ(r.interval_cycles, 224u * 224);
    EXPECT_NE(r.bottleneck_reason.find("224 * 224"), std::string::npos) << r.bottleneck_reason;
    for (const auto& l : r.layers) EXPECT_LE(l.busy_per_frame, r.interval_cycles) << l.name;
    EXPECT_EQ(r.layers.front().out.channels, 60);  // 96 filters pruned 40%, PE 60 (ch. 4.7.1.1)
}

}  // namespace
}  // namespace qsim
