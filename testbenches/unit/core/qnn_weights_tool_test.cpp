// Tests of the qnn-weights tool (testbenches/tools/qnn_weights.cpp) run as a child process:
// usage and config errors, generate against the generator, info, and from-npy's quantisation,
// activations and errors.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "models/common/rng.hpp"
#include "models/network/npy.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/quantizer.hpp"
#include "models/network/weight_file.hpp"
#include "sim/design/config_loader.hpp"
#include "testbenches/unit/core/weight_file_test_support.hpp"

namespace qsim {
namespace qnn_weights_tool_test {

using namespace weight_file_testing;

struct RunResult {
    int status = -1;
    std::string output;  // stdout + stderr
};

RunResult run_tool(const std::string& args, const std::string& stderr_file = "") {
    std::string cmd = std::string(QSIM_QNN_WEIGHTS) + " " + args +
                      (stderr_file.empty() ? " 2>&1" : " 2>" + stderr_file);
    RunResult r;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) r.output.append(buf, n);
    const int st = ::pclose(f);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const char* const kToolYaml = R"(name: tiny
params:
  F1: 8
device:
  name: generic
  clock_mhz: 100
input:
  height: 6
  width: 6
  channels: 3
  bits: 8
weights:
  generator:
    seed: 7
    sparsity: 0.25
layers:
  - name: conv1
    type: conv
    kernel: 3
    filters: ${F1}
    weights: {quant: binary}
    activation: {type: thresholds, bits: 2}
  - name: pool1
    type: maxpool
    kernel: 2
  - name: fc1
    type: fc
    filters: 16
    weights: {quant: ternary, threshold: 0.25}
    activation: {type: relu, bits: 4}
  - name: fc2
    type: fc
    filters: 8
    weights: {quant: uniform, bits: 4, scale: 0.125}
    activation: {type: bipolar}
  - name: fc3
    type: fc
    filters: 4
    weights: {quant: binary}
    activation: {type: none}
)";

class ToolTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = temp_dir();
        yaml = (dir / "net.yaml").string();
        write_text(yaml, kToolYaml);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string path(const std::string& name) const { return (dir / name).string(); }

    fs::path dir;
    std::string yaml;
};

TEST_F(ToolTest, UsageErrorsExitWith2) {
    EXPECT_EQ(run_tool("").status, 2);
    RunResult r = run_tool("frobnicate");
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.output, "unknown command 'frobnicate'")) << r.output;
    EXPECT_TRUE(contains(r.output, "usage:")) << r.output;
    EXPECT_EQ(run_tool("generate --config " + yaml).status, 2);                  // no --out
    EXPECT_EQ(run_tool("generate --out x.qnnw").status, 2);                      // no --config
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --seed abc").status, 2);
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --sparsity 1.5").status, 2);
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --set F1").status, 2);
    EXPECT_EQ(run_tool("generate --config " + yaml + " --out " + path("w") + " --bogus 1").status, 2);
    EXPECT_EQ(run_tool("from-npy --config " + yaml + " --out " + path("w")).status, 2);  // no --npy-dir
    EXPECT_EQ(run_tool("info").status, 2);
    EXPECT_EQ(run_tool("info a b").status, 2);
    EXPECT_EQ(run_tool("--help").status, 0);
}

TEST_F(ToolTest, GenerateMatchesGeneratorAndDefaultsFromConfig) {
    const NetworkConfig cfg = load_network_config(yaml);
    RunResult r = run_tool("generate --config " + yaml + " --out " + path("w.qnnw"));
    ASSERT_EQ(r.status, 0) << r.output;
    expect_same(read_weight_file(path("w.qnnw"), cfg), generate_params(cfg, 7, 0.25));

    r = run_tool("generate --config " + yaml + " --out " + path("w9.qnnw") + " --seed 9 --sparsity=0.5");
    ASSERT_EQ(r.status, 0) << r.output;
    expect_same(read_weight_file(path("w9.qnnw"), cfg), generate_params(cfg, 9, 0.5));

    r = run_tool("generate --config " + yaml + " --out " + path("w16.qnnw") + " --set F1=16");
    ASSERT_EQ(r.status, 0) << r.output;
    const NetworkConfig cfg16 = load_network_config(yaml, {{"F1", "16"}});
    EXPECT_EQ(cfg16.layers[0].out.channels, 16);
    expect_same(read_weight_file(path("w16.qnnw"), cfg16), generate_params(cfg16, 7, 0.25));
    // The file made for F1=16 does not match the F1=8 config.
    EXPECT_THROW(read_weight_file(path("w16.qnnw"), cfg), WeightFileError);
}

TEST_F(ToolTest, ConfigErrorsExitWith1) {
    RunResult r = run_tool("generate --config " + path("missing.yaml") + " --out " + path("w.qnnw"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "missing.yaml")) << r.output;
    r = run_tool("generate --config " + yaml + " --out " + path("w.qnnw") + " --set NOPE=3");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "NOPE")) << r.output;
}

TEST_F(ToolTest, InfoReportsLayersAndChecksum) {
    ASSERT_EQ(run_tool("generate --config " + yaml + " --out " + path("w.qnnw")).status, 0);
    RunResult r = run_tool("info " + path("w.qnnw"));
    EXPECT_EQ(r.status, 0) << r.output;
    for (const char* s : {"conv1", "fc1", "fc2", "fc3", "OK", "thresholds", "relu"})
        EXPECT_TRUE(contains(r.output, s)) << s << " not in:\n" << r.output;

    auto b = read_bytes(path("w.qnnw"));
    b[b.size() / 2] ^= 0xFF;
    write_bytes(path("bad.qnnw"), b);
    r = run_tool("info " + path("bad.qnnw"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "BAD")) << r.output;

    write_text(dir / "junk.qnnw", "not a weight file at all");
    r = run_tool("info " + path("junk.qnnw"));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "junk.qnnw:@0: header.magic")) << r.output;
}

TEST_F(ToolTest, FromNpyQuantisesAndFillsMissingActivations) {
    const NetworkConfig cfg = load_network_config(yaml);
    const fs::path npy = dir / "npy";
    fs::create_directories(npy);
    Rng rng(5);
    std::map<std::string, std::vector<int8_t>> expected_w;
    for (const auto& L : cfg.layers) {
        if (!L.is_compute()) continue;
        const size_t n = size_t(L.out.channels), fan_in = size_t(L.fan_in());
        std::vector<float> w(n * fan_in);
        for (auto& x : w) x = float(rng.uniform() * 2.4 - 1.2);
        // conv1 as [N, ky, kx, c]; the others as [N, fan_in].
        std::vector<size_t> shape = L.type == LayerType::Conv
                                        ? std::vector<size_t>{n, size_t(L.kernel), size_t(L.kernel), size_t(L.in.channels)}
                                        : std::vector<size_t>{n, fan_in};
        write_npy_f32((npy / (L.name + ".weights.npy")).string(), shape, w);
        expected_w[L.name] = quantize_weights(w, L.weights);
    }
    // conv1 thresholds from a file (int32, [N, 3]); fc2 (bipolar) analytic; fc1 bias from a
    // float file (rounded half away from zero), mul/shift analytic.
    std::vector<double> thr;
    for (int n = 0; n < 8; ++n)
        for (int j = 0; j < 3; ++j) thr.push_back(n * 100 - 50 + j * 40);
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 3}, thr, NpyDtype::I4);
    std::vector<float> bias;
    for (int n = 0; n < 16; ++n) bias.push_back(float(n) - 7.5f);
    write_npy_f32((npy / "fc1.bias.npy").string(), {16}, bias);

    const std::string err = path("stderr.txt");
    RunResult r = run_tool("from-npy --config " + yaml + " --npy-dir " + npy.string() + " --out " + path("n.qnnw"), err);
    ASSERT_EQ(r.status, 0) << r.output << read_text(err);
    const std::string log = read_text(err);
    EXPECT_TRUE(contains(log, "fc2") && contains(log, "analytic thresholds")) << log;
    EXPECT_TRUE(contains(log, "fc1") && contains(log, "fc1.requant.npy")) << log;
    EXPECT_FALSE(contains(log, "conv1")) << log;

    const NetworkParams p = read_weight_file(path("n.qnnw"), cfg);
    for (size_t l = 0; l < cfg.layers.size(); ++l)
        if (cfg.layers[l].is_compute()) {
            EXPECT_EQ(p.layers[l].weights, expected_w[cfg.layers[l].name]) << l;
        }
    EXPECT_EQ(p.layers[0].thresholds, std::vector<int32_t>(thr.begin(), thr.end()));
    const size_t fc1 = config_index(cfg, "fc1"), fc2 = config_index(cfg, "fc2");
    std::vector<int32_t> want_bias;
    for (int n = 0; n < 16; ++n) want_bias.push_back(int32_t(std::round(double(n) - 7.5)));
    EXPECT_EQ(p.layers[fc1].bias, want_bias);
    EXPECT_EQ(want_bias[0], -8);  // -7.5 rounds away from zero
    const std::vector<ValueModel> models = input_value_models(cfg, p);
    int32_t mul = 0, shift = 0;
    analytic_relu_scale(cfg.layers[fc1], accumulator_model(cfg.layers[fc1], p.layers[fc1].weights, models[fc1]),
                        want_bias, mul, shift);
    EXPECT_EQ(p.layers[fc1].mul, mul);
    EXPECT_EQ(p.layers[fc1].shift, shift);
    LayerParams a2 = p.layers[fc2];
    fill_analytic_activation(cfg.layers[fc2], models[fc2], a2);
    EXPECT_EQ(p.layers[fc2].thresholds, a2.thresholds);
    ASSERT_EQ(p.layers[fc2].thresholds.size(), 8u);

    // With thresholds and requant files the tool uses them.
    write_npy((npy / "fc2.thresholds.npy").string(), {8, 1}, {-3.5, 0, 1, 2, 3, 4, 5, 6.4}, NpyDtype::F8);
    write_npy((npy / "fc1.requant.npy").string(), {2}, {3, 5}, NpyDtype::I8);
    r = run_tool("from-npy --config " + yaml + " --npy-dir " + npy.string() + " --out " + path("m.qnnw"), err);
    ASSERT_EQ(r.status, 0) << r.output << read_text(err);
    const NetworkParams q = read_weight_file(path("m.qnnw"), cfg);
    EXPECT_EQ(q.layers[fc2].thresholds, (std::vector<int32_t>{-4, 0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(q.layers[fc1].mul, 3);
    EXPECT_EQ(q.layers[fc1].shift, 5);
    EXPECT_EQ(read_text(err), "");
}

// Add layers with an activation have no weights: from-npy reads their thresholds (or relu bias
// and requant) when given, else takes the generator's (fill_sum_requantisation), and writes an
// adder record for each (docs/weights-format.md, "Add layers").
TEST_F(ToolTest, FromNpyWritesTheRequantisationOfAddLayers) {
    const std::string residual = path("residual.yaml");
    write_text(residual,
               "name: r\ndevice: {clock_mhz: 100}\ninput: {height: 6, width: 6, channels: 3}\nlayers:\n"
               "  - {name: a, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
               "     activation: {type: thresholds, bits: 2}}\n"
               "  - {name: b, type: conv, kernel: 3, padding: same, filters: 8, weights: {quant: binary},\n"
               "     activation: {type: thresholds, bits: 2}}\n"
               "  - {name: j1, type: add, inputs: [b, a], activation: {type: thresholds, bits: 2}}\n"
               "  - {name: c, type: conv, kernel: 1, filters: 8, weights: {quant: binary},\n"
               "     activation: {type: thresholds, bits: 2}}\n"
               "  - {name: j2, type: add, inputs: [c, j1], activation: {type: relu, bits: 4}}\n"
               "  - {name: p, type: global_maxpool}\n"
               "  - {name: fc, type: fc, filters: 4, weights: {quant: binary}, activation: {type: none}}\n");
    const NetworkConfig cfg = load_network_config(residual);
    const fs::path npy = dir / "npy";
    fs::create_directories(npy);
    Rng rng(3);
    for (const auto& L : cfg.layers) {
        if (!L.is_compute()) continue;
        std::vector<float> w(size_t(L.weight_count()));
        for (auto& x : w) x = float(rng.uniform() - 0.5);
        write_npy_f32((npy / (L.name + ".weights.npy")).string(), {size_t(L.out.channels), size_t(L.fan_in())}, w);
    }
    std::vector<double> thr;
    for (int n = 0; n < 8; ++n)
        for (int j = 0; j < 3; ++j) thr.push_back(n - 4 + 2 * j);
    write_npy((npy / "j1.thresholds.npy").string(), {8, 3}, thr, NpyDtype::I2);

    const std::string err = path("stderr.txt");
    const RunResult r =
        run_tool("from-npy --config " + residual + " --npy-dir " + npy.string() + " --out " + path("r.qnnw"), err);
    ASSERT_EQ(r.status, 0) << r.output << read_text(err);
    EXPECT_TRUE(contains(r.output, "4 compute layers, 2 add layers (requantisation only)")) << r.output;
    const std::string log = read_text(err);
    EXPECT_TRUE(contains(log, "j2: no " + (npy / "j2.bias.npy").string())) << log;
    EXPECT_FALSE(contains(log, "j1")) << log;
    const NetworkParams p = read_weight_file(path("r.qnnw"), cfg);
    const size_t j1 = config_index(cfg, "j1"), j2 = config_index(cfg, "j2");
    EXPECT_EQ(p.layers[j1].thresholds, std::vector<int32_t>(thr.begin(), thr.end()));
    LayerParams want;
    fill_sum_requantisation(cfg.layers[j2], want);
    ASSERT_EQ(want.bias.size(), 8u);
    EXPECT_EQ(p.layers[j2].bias, want.bias);
    EXPECT_EQ(p.layers[j2].mul, want.mul);
    EXPECT_EQ(p.layers[j2].shift, want.shift);
    const RunResult info = run_tool("info " + path("r.qnnw"));
    EXPECT_EQ(info.status, 0) << info.output;
    EXPECT_TRUE(contains(info.output, "j1") && contains(info.output, "adder, 2 inputs")) << info.output;
}

TEST_F(ToolTest, FromNpyErrorsExitWith1) {
    const NetworkConfig cfg = load_network_config(yaml);
    const fs::path npy = dir / "npy";
    fs::create_directories(npy);
    const std::string cmd = "from-npy --config " + yaml + " --npy-dir " + npy.string() + " --out " + path("n.qnnw");
    // Missing weights file.
    RunResult r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, (npy / "conv1.weights.npy").string() + ":@0: cannot open")) << r.output;
    for (const auto& L : cfg.layers) {
        if (!L.is_compute()) continue;
        const size_t n = size_t(L.out.channels), fan_in = size_t(L.fan_in());
        write_npy_f32((npy / (L.name + ".weights.npy")).string(), {n, fan_in}, std::vector<float>(n * fan_in, 0.5f));
    }
    ASSERT_EQ(run_tool(cmd).status, 0);
    // Wrong shape.
    write_npy_f32((npy / "fc1.weights.npy").string(), {16, 31}, std::vector<float>(16 * 31, 0.5f));
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "fc1.weights.npy:@10: shape (16, 31): expected [N, ...] with N = 16")) << r.output;
    write_npy_f32((npy / "fc1.weights.npy").string(), {16, 32}, std::vector<float>(16 * 32, 0.5f));
    // Thresholds not ascending.
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 3}, std::vector<double>(24, 0.0), NpyDtype::I4);
    std::vector<double> t(24, 0.0);
    t[4] = -1;
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 3}, t, NpyDtype::I4);
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "conv1.thresholds.npy:@") && contains(r.output, "expected ascending")) << r.output;
    // Wrong threshold shape.
    write_npy((npy / "conv1.thresholds.npy").string(), {8, 2}, std::vector<double>(16, 0.0), NpyDtype::I4);
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "expected (8, 3)")) << r.output;
    fs::remove(npy / "conv1.thresholds.npy");
    // Corrupt npy.
    write_text(npy / "fc3.weights.npy", "garbage");
    r = run_tool(cmd);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "fc3.weights.npy:@0: bad magic")) << r.output;
}

}  // namespace qnn_weights_tool_test
}  // namespace qsim
