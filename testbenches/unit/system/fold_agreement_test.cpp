// `sim fold` on every shipped configuration: where it accepts (exit 0), the interval it reports
// is what the folded design simulates at, within 1%, over more frames than fold simulated it
// for; where it refuses, it says why in one line (the loopback architecture has no per-layer
// folding; graphs are not folded yet). Configs on a generic device (no resource counts) are folded for their own
// analytical frame rate.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "sim/design/config_loader.hpp"
#include "testbenches/unit/system/sim_process.hpp"

namespace qsim {
namespace fold_agreement_test {

namespace fs = std::filesystem;
using testing_support::last_line;
using testing_support::run_sim;

std::vector<std::string> shipped_configs() {
    std::vector<std::string> out;
    for (const char* dir : {"configs", "configs/trained"})
        for (const auto& e : fs::directory_iterator(fs::path(QSIM_SOURCE_DIR) / dir))
            if (e.path().extension() == ".yaml" && e.path().filename() != "devices.yaml")
                out.push_back(fs::relative(e.path(), QSIM_SOURCE_DIR).string());
    std::sort(out.begin(), out.end());
    return out;
}

uint64_t interval_of(const std::string& output) {
    std::smatch m;
    if (!std::regex_search(output, m, std::regex(R"(interval\s+(\d+) cycles/frame \(simulated\))"))) return 0;
    return std::stoull(m[1]);
}

class FoldAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(FoldAgreement, ReportedIntervalIsTheSimulatedOne) {
    const std::string config = std::string(QSIM_SOURCE_DIR) + "/" + GetParam();
    const fs::path dir = fs::temp_directory_path() / ("qsim_fold_" + fs::path(GetParam()).stem().string());
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string out = (dir / "folded.yaml").string();
    const NetworkConfig base = load_network_config(config);
    std::vector<std::string> args = {"fold", "--config", config, "--out", out};
    if (!(base.device.lut || base.device.bram18 || base.device.dsp)) {
        const double own = estimate_dataflow(base, false).frames_per_second(base.clock_hz());
        args.insert(args.end(), {"--target-fps", std::to_string(own)});
    }
    const auto fold = run_sim(args);
    if (fold.status != 0) {
        // A refusal is one plain line.
        EXPECT_EQ(fold.status, 1) << fold.output;
        const std::string why = last_line(fold.output);
        EXPECT_TRUE(why.find("loopback architecture") != std::string::npos ||
                    why.find("cannot reach") != std::string::npos ||
                    why.find("no folding fits the device") != std::string::npos)
            << why;
        fs::remove_all(dir);
        return;
    }
    std::ifstream f(out);
    const std::string folded((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::smatch m;
    ASSERT_TRUE(std::regex_search(folded, m, std::regex(R"(# Result: ([\d,]+) cycles per frame simulated)"))) << folded;
    std::string digits = m[1];
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    const uint64_t reported = std::stoull(digits);
    // More frames than fold's own check (4, or three batches), as the design runs for longer.
    const NetworkConfig design = load_network_config(out);
    const int frames = std::max(8, 4 * network_batch(design));
    const auto sim = run_sim({"--config", out, "--frames", std::to_string(frames)});
    ASSERT_EQ(sim.status, 0) << sim.output;
    const uint64_t simulated = interval_of(sim.output);
    ASSERT_GT(simulated, 0u) << sim.output;
    EXPECT_LE(std::abs(double(simulated) - double(reported)), 0.01 * double(simulated))
        << GetParam() << ": fold reports " << reported << " cycles per frame, the folded design simulates at "
        << simulated;
    fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Shipped, FoldAgreement, ::testing::ValuesIn(shipped_configs()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                             std::string n = fs::path(i.param).stem().string();
                             if (i.param.find("trained/") != std::string::npos) n = "trained_" + n;
                             return n;
                         });

}  // namespace fold_agreement_test
}  // namespace qsim
