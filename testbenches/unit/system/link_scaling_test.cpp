// System test: in the loopback architecture every layer's maps and weights cross PCIe, so the
// frame rate rises with the link's lanes until the single layer accelerator bounds it
// (ch. 6.6.3). Runs `sim` once per lane count (one simulation per process).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace qsim {
namespace link_scaling_test {

nlohmann::json run_loopback(int lanes) {
    const std::string report =
        (std::filesystem::temp_directory_path() / ("qsim_lanes_" + std::to_string(lanes) + ".json")).string();
    const std::string cmd = std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + QSIM_SIM_BINARY + " --config " +
                            QSIM_SOURCE_DIR + "/configs/alexnet_pcie.yaml --set arch=loopback --set lanes=" +
                            std::to_string(lanes) + " --frames 2 --report " + report + " > /dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(report);
    return nlohmann::json::parse(in);
}

TEST(LinkScaling, LoopbackFrameRateRisesWithLanesUntilComputeBoundsIt) {
    double previous = 0.0;
    for (int lanes : {1, 2, 4, 8, 16}) {
        const nlohmann::json j = run_loopback(lanes);
        const auto& h = j["host"];
        const double fps = h["frames_per_second"];
        const double link = h["per_frame_us"]["link"], compute = h["per_frame_us"]["accelerator"];
        EXPECT_GT(fps, previous) << lanes << " lanes";
        // Layers run one after another: a frame takes at least its link and its compute time.
        EXPECT_LE(fps, 1e6 / (link + compute) * 1.001) << lanes << " lanes";
        if (lanes == 1) {
            EXPECT_EQ(h["bound"], "PCIe link");
        }
        if (lanes == 16) {
            EXPECT_EQ(h["bound"], "accelerator");
            EXPECT_LT(fps, 1.15 * previous);  // little left to gain: compute dominates
        }
        previous = fps;
    }
}

}  // namespace link_scaling_test
}  // namespace qsim
