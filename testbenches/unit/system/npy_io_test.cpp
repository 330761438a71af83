// System tests of `sim --inputs FILE.npy` and `sim --expect FILE.npy` (sim/runner/npy_frames.hpp):
// frames read from an array instead of the generator, the final outputs compared with an
// expected array (the golden reference's outputs for those frames, computed here), the report's
// line and JSON object, exit 4 on a difference, and every bad file or option named in one line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/rng.hpp"
#include "models/network/npy.hpp"
#include "models/source/input_kernel.hpp"
#include "sim/design/config_loader.hpp"
#include "sim/golden/golden_reference.hpp"
#include "sim/runner/simulation.hpp"
#include "testbenches/unit/system/sim_process.hpp"

namespace qsim {
namespace npy_io_test {

using testing_support::run_sim;
using testing_support::SimRun;

// 6 x 6 x 1 frames of 4-bit codes; a conv layer and a 3-way classifier of raw accumulators
// (1 x 1 x 3) over all of its 4 x 4 x 4 codes, or with `conv_only` the conv layer's output.
std::string tiny_config(bool conv_only) {
    std::string y =
        "name: npy_io\n"
        "device: {clock_mhz: 100}\n"
        "input: {height: 6, width: 6, channels: 1, bits: 4, seed: 3}\n"
        "weights: {generator: {seed: 9}}\n"
        "run: {frames: 2}\n"
        "layers:\n"
        "  - {name: c, type: conv, kernel: 3, filters: 4, weights: {quant: uniform, bits: 3},\n"
        "     activation: {type: thresholds, bits: 2}, folding: {pe: 2, simd: 1}}\n";
    if (!conv_only)
        y += "  - {name: fc, type: fc, filters: 3, weights: {quant: binary}, activation: {type: none}}\n";
    return y;
}

class NpyIo : public ::testing::Test {
protected:
    void SetUp() override {
        dir = std::filesystem::temp_directory_path() /
              ("qsim_npy_io_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::string path(const std::string& name) const { return (dir / name).string(); }
    std::string write_config(bool conv_only) {
        const std::string p = path(conv_only ? "conv.yaml" : "tiny.yaml");
        std::ofstream(p) << tiny_config(conv_only);
        return p;
    }
    // `n` frames of codes 0..15 from `seed`, as one flat array (frame, y, x).
    static std::vector<double> random_frames(int n, uint64_t seed) {
        std::vector<double> v(size_t(n) * 36);
        Rng rng(seed);
        for (double& x : v) x = double(rng.below(16));
        return v;
    }
    // The golden reference's final output of every frame of `frames` (flat, 36 values each),
    // or of the generator's first `n` frames when `frames` is empty.
    static std::vector<double> golden_outputs(bool conv_only, const std::vector<double>& frames, int n) {
        const NetworkConfig net = parse_network_config(tiny_config(conv_only), "tiny.yaml");
        const NetworkParams params = load_params(net);
        std::vector<double> out;
        for (int f = 0; f < n; ++f) {
            FeatureMap x = input_frame(net.input, f);
            if (!frames.empty())
                for (size_t i = 0; i < 36; ++i) x.data[i] = int32_t(frames[size_t(f) * 36 + i]);
            const std::vector<FeatureMap> layers = golden::run_network(net, params, x);
            for (int32_t v : layers.back().data) out.push_back(double(v));
        }
        return out;
    }
    static nlohmann::json read_json(const std::string& p) {
        std::ifstream in(p);
        return nlohmann::json::parse(in);
    }
    std::filesystem::path dir;
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(NpyIo, InputsFeedTheRunAndExpectPassesOnTheirOutputs) {
    const std::string cfg = write_config(false);
    const std::vector<double> frames = random_frames(5, 42);
    const std::string in = path("in.npy"), expect = path("expect.npy"), report = path("r.json");
    write_npy(in, {5, 6, 6}, frames, NpyDtype::U1);  // (N, H, W): one channel
    const std::vector<double> want = golden_outputs(false, frames, 5);
    write_npy(expect, {5, 3}, want, NpyDtype::I8);  // (N, C): a 1 x 1 x 3 output
    const SimRun r = run_sim({"--config", cfg, "--inputs", in, "--expect", expect, "--check", "--no-timing",
                              "--report", report});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(has(r.output, "frames    5 of 5 simulated")) << r.output;
    EXPECT_TRUE(has(r.output, "golden check   PASS")) << r.output;
    EXPECT_TRUE(has(r.output, "expect         PASS  5 frames x 3 values equal " + expect + "\n")) << r.output;
    const nlohmann::json j = read_json(report);
    EXPECT_EQ(j["frames"]["requested"], 5);
    EXPECT_EQ(j["expect"]["file"], expect);
    EXPECT_EQ(j["expect"]["passed"], true);
    EXPECT_EQ(j["expect"]["frames"], 5);
    EXPECT_EQ(j["expect"]["values_per_frame"], 3);
    EXPECT_EQ(j["expect"]["values"], 15);
    EXPECT_EQ(j["expect"]["mismatches"], 0);
    EXPECT_TRUE(j["expect"]["first_mismatch"].is_null());

    // The same frames as float32 (integral values) and fewer of them: the first 2 frames.
    write_npy(path("in_f4.npy"), {5, 6, 6, 1}, frames, NpyDtype::F4);
    const SimRun f = run_sim({"--config", cfg, "--inputs", path("in_f4.npy"), "--frames", "2", "--expect", expect});
    ASSERT_EQ(f.status, 0) << f.output;
    EXPECT_TRUE(has(f.output, "expect         PASS  2 frames x 3 values equal")) << f.output;

    // Without --inputs the generator's frames run, whose outputs are not these.
    const SimRun g = run_sim({"--config", cfg, "--frames", "5", "--expect", expect});
    EXPECT_EQ(g.status, 4) << g.output;
}

TEST_F(NpyIo, ADifferentValueFailsWithItsPositionAndExitStatus4) {
    const std::string cfg = write_config(false);
    const std::vector<double> frames = random_frames(4, 7);
    const std::string in = path("in.npy"), expect = path("expect.npy"), report = path("r.json");
    write_npy(in, {4, 6, 6, 1}, frames, NpyDtype::I2);
    std::vector<double> want = golden_outputs(false, frames, 4);
    const double simulated = want[3 * 3 + 2];
    want[3 * 3 + 2] += 1;  // frame 3, channel 2
    write_npy(expect, {4, 1, 1, 3}, want, NpyDtype::I4);
    const SimRun r = run_sim({"--config", cfg, "--inputs", in, "--expect", expect, "--no-timing", "--report", report});
    EXPECT_EQ(r.status, 4) << r.output;
    const std::string line = "expect         FAIL  frame 3, pixel (0, 0), channel 2: expected " +
                             std::to_string(int64_t(simulated) + 1) + ", simulated " + std::to_string(int64_t(simulated)) +
                             " (1 of 12 values differ from " + expect + ")\n";
    EXPECT_TRUE(has(r.output, line)) << r.output;
    const nlohmann::json j = read_json(report);
    EXPECT_EQ(j["expect"]["passed"], false);
    EXPECT_EQ(j["expect"]["mismatches"], 1);
    EXPECT_EQ(j["expect"]["first_mismatch"],
              nlohmann::json({{"frame", 3}, {"y", 0}, {"x", 0}, {"channel", 2},
                              {"expected", int64_t(simulated) + 1}, {"simulated", int64_t(simulated)}}));
    // --no-timing: the same inputs give the same text, byte for byte.
    EXPECT_EQ(run_sim({"--config", cfg, "--inputs", in, "--expect", expect, "--no-timing"}).output,
              run_sim({"--config", cfg, "--inputs", in, "--expect", expect, "--no-timing"}).output);
}

TEST_F(NpyIo, ASpatialOutputIsExpectedAsNHWCAndTheGeneratorsFramesToo) {
    const std::string cfg = write_config(true);
    const std::vector<double> want = golden_outputs(true, {}, 2);  // the generator's frames, run.frames 2
    write_npy(path("e.npy"), {3, 4, 4, 4}, [&] {
        std::vector<double> v = want;
        v.resize(3 * 64, 0.0);  // a third frame that is not simulated
        return v;
    }(), NpyDtype::I1);
    const SimRun r = run_sim({"--config", cfg, "--expect", path("e.npy")});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(has(r.output, "expect         PASS  2 frames x 64 values equal")) << r.output;
    // (N, C) is for a 1 x 1 x C output only.
    write_npy(path("flat.npy"), {2, 64}, want, NpyDtype::I1);
    const SimRun flat = run_sim({"--config", cfg, "--expect", path("flat.npy")});
    EXPECT_EQ(flat.status, 1) << flat.output;
    EXPECT_TRUE(has(flat.output, path("flat.npy") + ":@10: shape (2, 64) does not match the network's output 4 x 4 x 4 "
                                                    "(layer 'c'): expected (N, 4, 4, 4) for N frames"))
        << flat.output;
}

TEST_F(NpyIo, BadArraysAndOptionsAreOneLineErrors) {
    const std::string cfg = write_config(false);
    std::vector<double> frames = random_frames(5, 1);
    auto run = [&](const std::vector<std::string>& extra) {
        std::vector<std::string> args = {"--config", cfg};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_sim(args);
    };
    auto expect_error = [&](const SimRun& r, int status, const std::vector<std::string>& parts) {
        EXPECT_EQ(r.status, status) << r.output;
        EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
        for (const auto& p : parts) EXPECT_TRUE(has(r.output, p)) << "'" << p << "' not in: " << r.output;
    };
    // Shapes: the shape found and the one expected.
    write_npy(path("two.npy"), {5, 6, 6, 2}, std::vector<double>(5 * 72, 0.0), NpyDtype::U1);
    expect_error(run({"--inputs", path("two.npy")}), 1,
                 {path("two.npy") + ":@10: shape (5, 6, 6, 2) does not match the network's input 6 x 6 x 1",
                  "expected (N, 6, 6, 1) or (N, 6, 6)"});
    write_npy(path("none.npy"), {0, 6, 6}, {}, NpyDtype::U1);
    expect_error(run({"--inputs", path("none.npy")}), 1, {"holds no frames (shape (0, 6, 6))"});
    // Values: the frame, pixel, channel, value and range.
    frames[2 * 36 + 1 * 6 + 4] = 16;
    write_npy(path("range.npy"), {5, 6, 6}, frames, NpyDtype::I4);
    const uint64_t data = read_npy_header(path("range.npy")).data_offset;
    expect_error(run({"--inputs", path("range.npy")}), 1,
                 {path("range.npy") + ":@" + std::to_string(data + 4 * (2 * 36 + 10)) +
                      ": frame 2, pixel (1, 4), channel 0: value 16 is outside the input's range 0..15 (input.bits 4, "
                      "unsigned)"});
    frames[2 * 36 + 1 * 6 + 4] = 2.5;
    write_npy(path("float.npy"), {5, 6, 6}, frames, NpyDtype::F8);
    expect_error(run({"--inputs", path("float.npy")}), 1,
                 {"frame 2, pixel (1, 4), channel 0: value 2.5 is not an integer"});
    expect_error(run({"--inputs", path("missing.npy")}), 1, {path("missing.npy"), "cannot open file"});
    // Usage: more frames than the file holds, --dataset too, --timing-only, too few expected frames.
    frames[2 * 36 + 1 * 6 + 4] = 3;
    write_npy(path("in.npy"), {5, 6, 6}, frames, NpyDtype::U1);
    expect_error(run({"--inputs", path("in.npy"), "--frames", "6"}), 2, {"--frames 6 but " + path("in.npy") + " holds 5 frames"});
    expect_error(run({"--inputs", path("in.npy"), "--dataset", path("in.npy")}), 2, {"--inputs and --dataset"});
    write_npy(path("e.npy"), {2, 3}, std::vector<double>(6, 0.0), NpyDtype::I8);
    expect_error(run({"--expect", path("e.npy"), "--timing-only"}), 2, {"--timing-only computes no values"});
    expect_error(run({"--inputs", path("in.npy"), "--expect", path("e.npy")}), 2,
                 {"--expect " + path("e.npy") + " holds 2 frames, fewer than the 5 simulated"});
    std::vector<double> half(6, 0.0);
    half[4] = 0.5;
    write_npy(path("half.npy"), {2, 3}, half, NpyDtype::F4);
    expect_error(run({"--expect", path("half.npy")}), 1,
                 {"frame 1, pixel (0, 0), channel 1: value 0.5 is not an integer"});
    expect_error(run({"--expect", path("e.npy"), "--report", path("e.npy")}), 2, {"the file given as --expect"});
}

}  // namespace npy_io_test
}  // namespace qsim
