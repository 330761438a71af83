// System tests: the frame rates of the thesis's AlexNet and TinyYolo designs (Tables 4.3 and
// 4.4), reproduced by simulating the configs bit-true. Published figures and tolerances come
// from testbenches/validation/published.json (the source docs/validation.md is written from
// too); the model never sees them.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace published_fps_test {

struct Published {
    std::string id, config;
    double fps = 0, tolerance_pct = 0;
};

// Printed by gtest and ctest as the test label.
void PrintTo(const Published& d, std::ostream* os) { *os << d.config; }

// The designs of published.json with a published frame rate.
std::vector<Published> published_rates() {
    std::ifstream f(std::string(QSIM_SOURCE_DIR) + "/testbenches/validation/published.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    std::vector<Published> out;
    for (const auto& d : j.at("designs"))
        if (d.at("published").contains("fps"))
            out.push_back({d.at("id"), d.at("config"), d["published"]["fps"].get<double>(),
                           d["tolerance_pct"]["fps"].get<double>()});
    return out;
}

class PublishedFps : public ::testing::TestWithParam<Published> {};

TEST_P(PublishedFps, WithinToleranceOfThePublishedRate) {
    const Published p = GetParam();
    const NetworkConfig net = load_network_config(std::string(QSIM_SOURCE_DIR) + "/" + p.config);
    SimOptions options;
    options.frames = 2;
    // Every layer bit-true as well, for the AlexNet designs (the TinyYolo ones are large).
    options.check = p.config.find("alexnet") != std::string::npos;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    ASSERT_EQ(r.frames_completed, 2);
    const double error = 100.0 * (r.frames_per_second - p.fps) / p.fps;
    EXPECT_LE(std::fabs(error), p.tolerance_pct)
        << p.config << ": simulated " << r.frames_per_second << " FPS, published " << p.fps << " (" << error << "%)";
    // The simulated interval agrees with the analytical one (no stalls the closed form misses).
    EXPECT_EQ(r.interval_cycles, r.estimate_interval_cycles);
    if (options.check) {
        EXPECT_TRUE(r.check.passed) << r.check.message;
    }
}

INSTANTIATE_TEST_SUITE_P(Table43And44, PublishedFps, ::testing::ValuesIn(published_rates()),
                         [](const ::testing::TestParamInfo<Published>& info) { return info.param.id; });

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

}  // namespace published_fps_test
}  // namespace qsim
