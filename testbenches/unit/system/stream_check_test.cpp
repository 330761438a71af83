// sim --check compares each layer's frames as they come out (sim/runner/stream_check.hpp):
// its verdict must be the one of comparing every frame of every layer after the run, frame by
// frame and layer by layer, in whatever order the outputs arrive; and it must hold only the
// frames in flight, however many frames the run has.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "models/network/weight_file.hpp"
#include "models/source/input_kernel.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/simulation.hpp"
#include "sim/runner/stream_check.hpp"

namespace qsim {
namespace stream_check_test {

using Outputs = std::vector<std::vector<FeatureMap>>;  // [layer][frame]

NetworkConfig small_net() { return load_network_config(std::string(QSIM_SOURCE_DIR) + "/configs/mnist_gmp_cnn.yaml", {}); }

// The verdict of the comparison after the run (the check before streaming), written out here.
CheckResult after_the_run(const NetworkConfig& net, const NetworkParams& params, const Outputs& got, int frames) {
    CheckResult r;
    r.done = true;
    r.passed = true;
    for (int f = 0; f < frames && r.passed; ++f) {
        const std::vector<FeatureMap> want = golden::run_network(net, params, input_frame(net.input, f));
        for (size_t i = 0; i < net.layers.size() && r.passed; ++i) {
            const FmShape s = net.layers[i].out;
            std::ostringstream os;
            if (int(got[i].size()) <= f || got[i][size_t(f)].data.size() != want[i].data.size()) {
                os << "layer " << net.layers[i].name << " frame " << f << ": no complete output";
                r.passed = false;
                r.message = os.str();
                break;
            }
            for (size_t k = 0; k < want[i].data.size(); ++k, ++r.values_compared)
                if (got[i][size_t(f)].data[k] != want[i].data[k]) {
                    os << "layer " << net.layers[i].name << " frame " << f << " at (y=" << k / (size_t(s.channels) * s.width)
                       << ", x=" << (k / s.channels) % s.width << ", c=" << k % size_t(s.channels) << "): golden "
                       << want[i].data[k] << ", simulated " << got[i][size_t(f)].data[k];
                    r.passed = false;
                    r.message = os.str();
                    break;
                }
        }
    }
    if (r.passed)
        r.message = "all " + std::to_string(net.layers.size()) + " layers bit-true over " + std::to_string(frames) +
                    " frame(s), " + std::to_string(r.values_compared) + " values";
    return r;
}

// Feeds the outputs to a streaming check in a pipeline's order (frame f of layer i at step
// f + i) or in reverse, skipping empty maps.
CheckResult streamed(const NetworkConfig& net, const NetworkParams& params, const Outputs& got, int frames, bool reverse) {
    std::vector<std::pair<int, size_t>> order;
    for (size_t i = 0; i < got.size(); ++i)
        for (int f = 0; f < int(got[i].size()); ++f) order.push_back({f, i});
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first + int(a.second) < b.first + int(b.second); });
    if (reverse) std::reverse(order.begin(), order.end());
    StreamingCheck check(net, params);
    for (const auto& [f, i] : order)
        if (!got[i][size_t(f)].data.empty()) check.layer_frame(i, f, got[i][size_t(f)]);
    return check.finish(frames);
}

void expect_same(const CheckResult& want, const CheckResult& got) {
    EXPECT_EQ(want.passed, got.passed);
    EXPECT_EQ(want.message, got.message);
    EXPECT_EQ(want.values_compared, got.values_compared);
}

// The golden reference's own outputs stand for a bit-true simulation.
Outputs golden_outputs(const NetworkConfig& net, const NetworkParams& params, int frames) {
    Outputs out(net.layers.size());
    for (int f = 0; f < frames; ++f) {
        std::vector<FeatureMap> g = golden::run_network(net, params, input_frame(net.input, f));
        for (size_t i = 0; i < g.size(); ++i) out[i].push_back(std::move(g[i]));
    }
    return out;
}

TEST(StreamCheck, PassesWithTheSameSummary) {
    const NetworkConfig net = small_net();
    const NetworkParams params = load_params(net);
    const Outputs got = golden_outputs(net, params, 3);
    const CheckResult want = after_the_run(net, params, got, 3);
    ASSERT_TRUE(want.passed);
    for (bool reverse : {false, true}) expect_same(want, streamed(net, params, got, 3, reverse));
}

TEST(StreamCheck, WrongParamsReportTheFirstMismatchInFrameLayerOrder) {
    const NetworkConfig net = small_net();
    const NetworkParams params = load_params(net);
    const Outputs got = golden_outputs(net, params, 3);
    NetworkParams wrong = params;  // a deliberately wrong weight of the last compute layer
    size_t last = 0;
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (net.layers[i].is_compute() && !wrong.layers[i].weights.empty()) last = i;
    for (auto& w : wrong.layers[last].weights) w = int8_t(w == 0 ? 1 : -w);
    const CheckResult want = after_the_run(net, wrong, got, 3);
    ASSERT_FALSE(want.passed);
    EXPECT_NE(want.message.find("layer " + net.layers[last].name + " frame 0 at (y="), std::string::npos) << want.message;
    for (bool reverse : {false, true}) expect_same(want, streamed(net, wrong, got, 3, reverse));
}

TEST(StreamCheck, WrongSimulatedValuesAndMissingOutputs) {
    const NetworkConfig net = small_net();
    const NetworkParams params = load_params(net);
    Outputs got = golden_outputs(net, params, 3);
    // A wrong value early in frame 2 and a later one in frame 1: frame 1's is the verdict.
    got[0][2].data[5] += 1;
    got.back()[1].data.back() += 1;
    CheckResult want = after_the_run(net, params, got, 3);
    ASSERT_NE(want.message.find(" frame 1 at ("), std::string::npos) << want.message;
    for (bool reverse : {false, true}) expect_same(want, streamed(net, params, got, 3, reverse));
    // A layer's frame that never came, before the mismatch.
    got[1][1] = FeatureMap();
    want = after_the_run(net, params, got, 3);
    ASSERT_NE(want.message.find(": no complete output"), std::string::npos) << want.message;
    for (bool reverse : {false, true}) expect_same(want, streamed(net, params, got, 3, reverse));
}

// One simulation (SystemC allows one per process): many frames checked, and what is held is
// bounded by the pipeline, not by the frames.
TEST(StreamCheck, HoldsOnlyTheFramesInFlight) {
    const NetworkConfig net = small_net();
    SimOptions options;
    options.frames = 24;
    options.check = true;
    const RunResult r = simulate(net, load_params(net), options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.check.passed) << r.check.message;
    EXPECT_TRUE(r.layer_outputs.empty());
    EXPECT_EQ(r.outputs.size(), 24u);
    EXPECT_GE(r.check_golden_frames_peak, 1u);
    EXPECT_LE(r.check_golden_frames_peak, net.layers.size() + 1);
    EXPECT_LE(r.layer_frames_peak, 2 * net.layers.size());
}

// Without keep_outputs (sim without --dataset or --expect) no final output is kept, and the
// report's CRC and frame count, taken at the sink as frames come, are those of the golden
// reference's final outputs.
TEST(StreamCheck, OutputsNotKeptStillGiveTheirCrc) {
    const NetworkConfig net = small_net();
    const NetworkParams params = load_params(net);
    SimOptions options;
    options.frames = 9;
    options.keep_outputs = false;
    const RunResult r = simulate(net, params, options);
    ASSERT_FALSE(r.deadlock);
    EXPECT_TRUE(r.outputs.empty());
    EXPECT_EQ(r.output_frames, 9u);
    uint32_t crc = 0;
    for (int f = 0; f < 9; ++f) {
        const std::vector<FeatureMap> want = golden::run_network(net, params, input_frame(net.input, f));
        for (int32_t v : want.back().data) {
            const uint8_t b[4] = {uint8_t(v), uint8_t(uint32_t(v) >> 8), uint8_t(uint32_t(v) >> 16),
                                  uint8_t(uint32_t(v) >> 24)};
            crc = crc32(b, 4, crc);
        }
    }
    EXPECT_EQ(r.outputs_crc32, crc);
}

}  // namespace stream_check_test
}  // namespace qsim
