// System tests of the progress watchdog: a design that cannot make progress stops within
// seconds with a diagnosis naming the blocked blocks and the FIFOs and buffers they wait on.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "sim/design/config_loader.hpp"
#include "sim/runner/simulation.hpp"

namespace qsim {
namespace deadlock_test {

const char* kTwoConvs = R"(name: two_convs
device: {clock_mhz: 100}
input: {height: 12, width: 12, channels: 2, bits: 4, stream_bits: 8}
run: {frames: 2}
layers:
  - {name: conv1, type: conv, kernel: 3, padding: same, filters: 4, weights: {quant: binary},
     activation: {type: thresholds, bits: 2}, folding: {pe: 2, simd: 2}}
  - {name: conv2, type: conv, kernel: 3, filters: 4, weights: {quant: ternary},
     activation: {type: thresholds, bits: 2}, folding: {pe: 4, simd: 4}}
)";

bool contains(const std::vector<std::string>& lines, const std::string& a, const std::string& b) {
    for (const auto& l : lines)
        if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
    return false;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

TEST(Watchdog, LineBufferSmallerThanTheWindowDeadlocksAndIsDiagnosed) {
    // conv2's window needs 3 input rows at once; its line buffer holds 2. The loader rejects
    // this (swu_buffer_rows must be >= kernel), so the design is built past it on purpose.
    NetworkConfig net = parse_network_config(kTwoConvs, "two_convs.yaml");
    net.layers[1].swu_buffer_rows = 2;
    const auto t0 = std::chrono::steady_clock::now();
    const RunResult r = simulate(net, load_params(net), SimOptions{});
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    ASSERT_TRUE(r.deadlock);
    EXPECT_EQ(r.stall_kind, "deadlock");
    EXPECT_EQ(r.frames_completed, 0);
    EXPECT_LT(wall, 5.0);
    const std::string all = joined(r.deadlock_report);
    // The SWU's write side waits for space in its full line buffer, its read side for row 2.
    EXPECT_TRUE(contains(r.deadlock_report, "conv2_swu", "space in the line buffer (2/2 rows)")) << all;
    EXPECT_TRUE(contains(r.deadlock_report, "conv2_swu", "input row 2 of frame 0")) << all;
    // Upstream backs up behind it: the FIFO into conv2 is full with its writer waiting.
    EXPECT_TRUE(contains(r.deadlock_report, "accel.conv1_to_conv2: 2/2 rows (full)", "writer waiting")) << all;
    EXPECT_TRUE(contains(r.deadlock_report, "conv1_mvtu", "space in accel.conv1_to_conv2 (2/2 rows)")) << all;
    // Downstream starves.
    EXPECT_TRUE(contains(r.deadlock_report, "conv2_mvtu", "data from accel.conv2_swu2mvtu (0/2 rows)")) << all;
    // The watchdog fires within two of its periods of the last row moving.
    EXPECT_LE(r.stall_cycle, 3 * r.watchdog_cycles);
}

TEST(Watchdog, ABlockBusyLongerThanTheWatchdogIsReportedAsLivelock) {
    // conv1's SWU needs 12 * 9 * 1 = 108 cycles to emit a row of windows; a 20-cycle watchdog
    // sees no row move while it works.
    NetworkConfig net = parse_network_config(kTwoConvs, "two_convs.yaml");
    net.run.watchdog_cycles = 20;
    const RunResult r = simulate(net, load_params(net), SimOptions{});
    ASSERT_TRUE(r.deadlock);
    EXPECT_EQ(r.stall_kind, "livelock");
    EXPECT_EQ(r.watchdog_cycles, 20u);
    EXPECT_NE(r.deadlock_report.front().find("kept working"), std::string::npos) << joined(r.deadlock_report);
    EXPECT_TRUE(contains(r.deadlock_report, "accel.conv1_swu", ": working")) << joined(r.deadlock_report);
}

TEST(Watchdog, DoesNotFireOnAHealthyDesignAndLetsTheSimulationEnd) {
    const NetworkConfig net = parse_network_config(kTwoConvs, "two_convs.yaml");
    const RunResult r = simulate(net, load_params(net), SimOptions{});
    EXPECT_FALSE(r.deadlock);
    EXPECT_EQ(r.frames_completed, 2);
    // The simulation ends when the last frame is out, not at the next watchdog period.
    EXPECT_EQ(r.total_cycles, r.latency_cycles + r.interval_cycles);
}

}  // namespace deadlock_test
}  // namespace qsim
