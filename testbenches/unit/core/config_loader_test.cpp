// Core tests of the configuration loader on valid networks: every derived value (shapes,
// channels after pruning, encodings, datapaths, buffers), params and overrides, the
// documentation's example, and the effective configuration.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include "sim/design/config_loader.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace config_loader_test {

using testing_support::kConfigDir;
using testing_support::kConvBody;
using testing_support::effective_json;
using testing_support::expect_error;
using testing_support::net;

// ---------------------------------------------------------------------------------------
// Valid networks.

const char* kCnn = R"(name: tiny_cnn
params:
  K: 3
device:
  name: Z7020
  clock_mhz: 100
input:
  height: 32
  width: 32
  channels: 3
  bits: 8
run:
  frames: 3
defaults:
  fifo_depth: 4
layers:
  - name: conv1
    type: conv
    kernel: ${K}
    padding: same
    filters: 96
    prune: 0.4
    weights: {quant: binary}
    activation: {type: bipolar}
    folding: {pe: 60, simd: 3, mmv: 4}
  - name: pool1
    type: maxpool
    kernel: 2
  - name: conv2
    type: conv
    kernel: 3
    stride: 2
    padding: valid
    groups: 2
    filters: 256
    prune: 0.4
    weights: {quant: binary}
    activation: {type: thresholds, bits: 2}
    folding: {pe: 16, simd: 6}
    fifo_depth: 8
    swu_buffer_rows: 6
  - name: gpool
    type: global_maxpool
)";

void expect_shape(const FmShape& s, int h, int w, int c) {
    EXPECT_EQ(s.height, h);
    EXPECT_EQ(s.width, w);
    EXPECT_EQ(s.channels, c);
}


TEST(ConfigLoader, CnnDerivedFields) {
    NetworkConfig cfg = parse_network_config(kCnn, "cnn.yaml", {}, kConfigDir);
    EXPECT_EQ(cfg.name, "tiny_cnn");
    EXPECT_EQ(cfg.source_file, "cnn.yaml");
    EXPECT_EQ(cfg.device.name, "Z7020");
    EXPECT_EQ(cfg.device.family, "Zynq-7000");
    EXPECT_EQ(cfg.device.lut, 53200);
    EXPECT_EQ(cfg.device.ff, 106400);
    EXPECT_EQ(cfg.device.bram18, 280);
    EXPECT_EQ(cfg.device.dsp, 220);
    EXPECT_EQ(cfg.device.library, kConfigDir + "/devices.yaml");
    EXPECT_DOUBLE_EQ(cfg.device.clock_mhz, 100.0);
    EXPECT_DOUBLE_EQ(cfg.clock_hz(), 100e6);
    expect_shape(cfg.input.shape, 32, 32, 3);
    EXPECT_EQ(cfg.input.bits, 8);
    EXPECT_FALSE(cfg.input.is_signed);
    EXPECT_EQ(cfg.input.stream_bits, 24);
    EXPECT_EQ(cfg.input.seed, 1u);
    EXPECT_EQ(cfg.weights.kind, WeightSource::Kind::Generator);
    EXPECT_EQ(cfg.weights.seed, 1u);
    EXPECT_DOUBLE_EQ(cfg.weights.sparsity, 0.0);
    EXPECT_EQ(cfg.run.frames, 3);
    ASSERT_EQ(cfg.layers.size(), 4u);

    const LayerConfig& c1 = cfg.layers[0];
    EXPECT_EQ(c1.name, "conv1");
    EXPECT_EQ(c1.type, LayerType::Conv);
    EXPECT_EQ(c1.loc.line, 17);
    EXPECT_EQ(c1.loc.column, 5);
    EXPECT_EQ(c1.kernel, 3);  // from ${K}
    EXPECT_EQ(c1.stride, 1);
    EXPECT_EQ(c1.pad_begin, 1);
    EXPECT_EQ(c1.pad_end, 1);
    EXPECT_EQ(c1.groups, 1);
    EXPECT_EQ(c1.filters, 96);
    EXPECT_DOUBLE_EQ(c1.prune, 0.4);
    expect_shape(c1.in, 32, 32, 3);
    expect_shape(c1.out, 32, 32, 60);  // 96 * 0.6 = 57.6 -> rounded up to a multiple of PE 60
    EXPECT_EQ(c1.in_encoding, Encoding::Unsigned);
    EXPECT_EQ(c1.in_bits, 8);
    EXPECT_EQ(c1.out_encoding, Encoding::Bipolar);
    EXPECT_EQ(c1.out_bits, 1);
    EXPECT_EQ(c1.weights.quant, WeightQuant::Binary);
    EXPECT_EQ(c1.weights.bits, 1);
    EXPECT_EQ(c1.activation.type, ActivationType::Bipolar);
    EXPECT_EQ(c1.activation.bits, 1);
    EXPECT_EQ(c1.datapath, Datapath::AddSub);  // binary weights, 8-bit unsigned input
    EXPECT_EQ(c1.folding.pe, 60);
    EXPECT_EQ(c1.folding.simd, 3);
    EXPECT_EQ(c1.folding.mmv, 4);
    EXPECT_EQ(c1.fifo_depth, 4);  // defaults.fifo_depth
    EXPECT_EQ(c1.swu_buffer_rows, 4);  // kernel + stride
    EXPECT_EQ(c1.fan_in(), 27);

    const LayerConfig& p1 = cfg.layers[1];
    EXPECT_EQ(p1.type, LayerType::MaxPool);
    EXPECT_EQ(p1.kernel, 2);
    EXPECT_EQ(p1.stride, 2);  // defaults to the kernel
    EXPECT_EQ(p1.pad_begin, 0);
    EXPECT_EQ(p1.pad_end, 0);
    expect_shape(p1.in, 32, 32, 60);
    expect_shape(p1.out, 16, 16, 60);
    EXPECT_EQ(p1.in_encoding, Encoding::Bipolar);
    EXPECT_EQ(p1.out_encoding, Encoding::Bipolar);
    EXPECT_EQ(p1.out_bits, 1);
    EXPECT_EQ(p1.folding.pe, 1);
    EXPECT_EQ(p1.folding.simd, 60);  // all channels at once by default
    EXPECT_EQ(p1.folding.mmv, 1);
    EXPECT_EQ(p1.swu_buffer_rows, 4);
    EXPECT_EQ(p1.fifo_depth, 4);

    const LayerConfig& c2 = cfg.layers[2];
    EXPECT_EQ(c2.stride, 2);
    EXPECT_EQ(c2.groups, 2);
    EXPECT_EQ(c2.pad_begin, 0);
    EXPECT_EQ(c2.pad_end, 0);
    expect_shape(c2.in, 16, 16, 60);
    // (16 - 3) / 2 + 1 = 7; 256 * 0.6 = 153.6 -> ceil(153.6 / (2 * 16)) * 32 = 160.
    expect_shape(c2.out, 7, 7, 160);
    EXPECT_EQ(c2.filters, 256);
    EXPECT_EQ(c2.in_encoding, Encoding::Bipolar);
    EXPECT_EQ(c2.datapath, Datapath::XnorPopcount);  // binary weights, bipolar input
    EXPECT_EQ(c2.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(c2.out_bits, 2);
    EXPECT_EQ(c2.activation.type, ActivationType::Thresholds);
    EXPECT_EQ(c2.thresholds_per_channel(), 3);
    EXPECT_EQ(c2.fifo_depth, 8);
    EXPECT_EQ(c2.swu_buffer_rows, 6);
    EXPECT_EQ(c2.fan_in(), 9 * 30);

    const LayerConfig& g = cfg.layers[3];
    EXPECT_EQ(g.type, LayerType::GlobalMaxPool);
    expect_shape(g.in, 7, 7, 160);
    expect_shape(g.out, 1, 1, 160);
    EXPECT_EQ(g.in_encoding, Encoding::Unsigned);
    EXPECT_EQ(g.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(g.out_bits, 2);
    EXPECT_EQ(g.folding.simd, 160);
    EXPECT_EQ(g.swu_buffer_rows, 0);
    EXPECT_FALSE(g.uses_swu());

    EXPECT_EQ(cfg.find_layer("conv2"), &cfg.layers[2]);
}

TEST(ConfigLoader, MlpDerivedFields) {
    const char* yaml = R"(name: mlp
device: {clock_mhz: 200}
input: {height: 28, width: 28, channels: 1, bits: 1, seed: 42}
weights:
  generator: {seed: 7, sparsity: 0.25}
layers:
  - {name: fc1, type: fc, filters: 256, weights: {quant: ternary}, activation: {type: bipolar}, folding: {pe: 16, simd: 49}}
  - {name: fc2, type: fc, filters: 256, in_channels: 256, weights: {quant: binary, bits: 1}, activation: {type: bipolar, bits: 1}, folding: {pe: 16, simd: 32}}
  - {name: fc3, type: fc, filters: 10, weights: {quant: uniform, bits: 4}, activation: {type: none}, folding: {pe: 10, simd: 8}, datapath: dsp_mac}
)";
    NetworkConfig cfg = parse_network_config(yaml, "mlp.yaml");
    EXPECT_EQ(cfg.input.seed, 42u);
    EXPECT_EQ(cfg.weights.seed, 7u);
    EXPECT_DOUBLE_EQ(cfg.weights.sparsity, 0.25);
    EXPECT_EQ(cfg.run.frames, 2);
    ASSERT_EQ(cfg.layers.size(), 3u);

    const LayerConfig& f1 = cfg.layers[0];
    expect_shape(f1.in, 28, 28, 1);
    expect_shape(f1.out, 1, 1, 256);
    EXPECT_EQ(f1.fan_in(), 784);
    EXPECT_EQ(f1.weights.quant, WeightQuant::Ternary);
    EXPECT_EQ(f1.weights.bits, 2);
    EXPECT_DOUBLE_EQ(f1.weights.threshold, 0.05);
    EXPECT_EQ(f1.datapath, Datapath::AddSub);  // ternary weights
    EXPECT_EQ(f1.in_encoding, Encoding::Unsigned);
    EXPECT_EQ(f1.in_bits, 1);
    EXPECT_EQ(f1.out_encoding, Encoding::Bipolar);
    EXPECT_EQ(f1.fifo_depth, 2);
    EXPECT_EQ(f1.swu_buffer_rows, 0);

    const LayerConfig& f2 = cfg.layers[1];
    EXPECT_EQ(f2.datapath, Datapath::XnorPopcount);
    EXPECT_EQ(f2.fan_in(), 256);
    EXPECT_EQ(f2.weight_count(), 256 * 256);

    const LayerConfig& f3 = cfg.layers[2];
    expect_shape(f3.out, 1, 1, 10);
    EXPECT_EQ(f3.weights.quant, WeightQuant::Uniform);
    EXPECT_EQ(f3.weights.bits, 4);
    EXPECT_DOUBLE_EQ(f3.weights.scale, 0.125);  // 2^-(bits-1)
    EXPECT_EQ(f3.datapath, Datapath::DspMac);
    EXPECT_EQ(f3.activation.type, ActivationType::None);
    EXPECT_EQ(f3.activation.bits, 32);
    EXPECT_EQ(f3.out_encoding, Encoding::Accumulator);
    EXPECT_EQ(f3.out_bits, 32);
    EXPECT_EQ(f3.in_encoding, Encoding::Bipolar);
}

TEST(ConfigLoader, PaddingVariants) {
    const std::string yaml = net(
        "  - {name: a, type: conv, kernel: 3, stride: 2, padding: same, filters: 4,"
        " weights: {quant: binary}, activation: {type: relu}}\n"
        "  - {name: b, type: conv, kernel: 4, padding: same, filters: 4,"
        " weights: {quant: binary}, activation: {type: relu, bits: 4}}\n"
        "  - {name: c, type: conv, kernel: 3, padding: [1, 2], filters: 4,"
        " weights: {quant: binary}, activation: {type: thresholds}}\n"
        "  - {name: d, type: maxpool, kernel: 3, stride: 1, padding: 2}\n"
        "  - {name: e, type: maxpool, kernel: 2, stride: 3, padding: valid}\n");
    NetworkConfig cfg = parse_network_config(yaml, "pad.yaml");
    ASSERT_EQ(cfg.layers.size(), 5u);
    // 8 / stride 2 -> out 4; total = max(3*2 + 3 - 8, 0) = 1 -> [0, 1].
    EXPECT_EQ(cfg.layers[0].pad_begin, 0);
    EXPECT_EQ(cfg.layers[0].pad_end, 1);
    expect_shape(cfg.layers[0].out, 4, 4, 4);
    EXPECT_EQ(cfg.layers[0].out_bits, 8);  // relu default
    // kernel 4, stride 1 on 4x4: total 3 -> [1, 2], out 4.
    EXPECT_EQ(cfg.layers[1].pad_begin, 1);
    EXPECT_EQ(cfg.layers[1].pad_end, 2);
    expect_shape(cfg.layers[1].out, 4, 4, 4);
    EXPECT_EQ(cfg.layers[1].out_bits, 4);
    // Explicit [1, 2]: padded 7, out 5.
    EXPECT_EQ(cfg.layers[2].pad_begin, 1);
    EXPECT_EQ(cfg.layers[2].pad_end, 2);
    expect_shape(cfg.layers[2].out, 5, 5, 4);
    EXPECT_EQ(cfg.layers[2].out_bits, 2);  // thresholds default
    // Integer padding 2 both sides: padded 9, out 7.
    EXPECT_EQ(cfg.layers[3].pad_begin, 2);
    EXPECT_EQ(cfg.layers[3].pad_end, 2);
    expect_shape(cfg.layers[3].out, 7, 7, 4);
    EXPECT_EQ(cfg.layers[3].swu_buffer_rows, 4);
    // (7 - 2) / 3 + 1 = 2.
    expect_shape(cfg.layers[4].out, 2, 2, 4);
    EXPECT_EQ(cfg.layers[4].swu_buffer_rows, 5);
}

TEST(ConfigLoader, SignedInputUniformWeights) {
    const char* yaml = R"(name: s
device: {clock_mhz: 150.5}
input: {height: 4, width: 4, channels: 2, bits: 16, signed: true, stream_bits: 32}
weights: {file: w/net.qw}
layers:
  - name: c
    type: conv
    kernel: 3
    padding: same
    filters: 12
    weights: {quant: uniform, bits: 8, scale: 0.01}
    activation: {type: relu, bits: 16}
    folding: {pe: 6, simd: 2, mmv: 2}
  - name: t
    type: conv
    kernel: 1
    filters: 6
    weights: {quant: ternary, bits: 2, threshold: 0.2}
    activation: {type: thresholds, bits: 8}
    datapath: addsub
)";
    NetworkConfig cfg = parse_network_config(yaml, "cfg/s.yaml", {}, "cfg");
    EXPECT_DOUBLE_EQ(cfg.device.clock_mhz, 150.5);
    EXPECT_EQ(cfg.device.name, "generic");
    EXPECT_TRUE(cfg.input.is_signed);
    EXPECT_EQ(cfg.input.encoding(), Encoding::Signed);
    EXPECT_EQ(cfg.input.stream_bits, 32);
    EXPECT_EQ(cfg.weights.kind, WeightSource::Kind::File);
    EXPECT_EQ(std::filesystem::path(cfg.weights.path), std::filesystem::path("cfg/w/net.qw"));
    const LayerConfig& c = cfg.layers[0];
    EXPECT_EQ(c.in_encoding, Encoding::Signed);
    EXPECT_EQ(c.in_bits, 16);
    EXPECT_EQ(c.datapath, Datapath::DspMac);
    EXPECT_DOUBLE_EQ(c.weights.scale, 0.01);
    EXPECT_EQ(c.out_encoding, Encoding::Unsigned);
    EXPECT_EQ(c.out_bits, 16);
    expect_shape(c.out, 4, 4, 12);
    const LayerConfig& t = cfg.layers[1];
    EXPECT_DOUBLE_EQ(t.weights.threshold, 0.2);
    EXPECT_EQ(t.datapath, Datapath::AddSub);
    EXPECT_EQ(t.swu_buffer_rows, 2);
    EXPECT_EQ(t.thresholds_per_channel(), 255);
}

TEST(ConfigLoader, PruningRoundsUpToPeMultiplePerGroup) {
    // filters 100, prune 0.5 -> exactly 50 kept; PE 10 -> 50 (no spurious round-up).
    NetworkConfig cfg = parse_network_config(
        net("  - {name: a, type: fc, filters: 100, prune: 0.5, weights: {quant: binary},"
            " activation: {type: thresholds}, folding: {pe: 10, simd: 8}}\n"
            "  - {name: b, type: fc, filters: 12, prune: 0.2, weights: {quant: binary},"
            " activation: {type: thresholds}, folding: {pe: 4}}\n"),
        "p.yaml");
    EXPECT_EQ(cfg.layers[0].out.channels, 50);
    EXPECT_EQ(cfg.layers[0].fan_in(), 256);
    // 12 * 0.8 = 9.6 -> ceil(9.6 / 4) * 4 = 12.
    EXPECT_EQ(cfg.layers[1].out.channels, 12);
    EXPECT_EQ(cfg.layers[1].filters, 12);
}

TEST(ConfigLoaderError, PruningThatRoundsAboveTheFilterCount) {
    // 10 * 0.99 = 9.9 kept, rounded up to a multiple of PE 4 = 12 > 10 filters.
    expect_error(net("  - {name: a, type: fc, filters: 10, prune: 0.01, weights: {quant: binary},"
                     " activation: {type: thresholds}, folding: {pe: 4}}\n"),
                 "5", "layers[0].prune", {"rounds up to 12", "more than the layer has", "smaller PE"});
}

TEST(ConfigLoader, InputFifoDepth) {
    NetworkConfig cfg = parse_network_config(
        "name: t\ndevice: {clock_mhz: 100}\ninput: {height: 8, width: 8, channels: 4, fifo_depth: 8}\n"
        "layers:\n  - {name: a, type: fc, filters: 4, weights: {quant: binary}, activation: {type: thresholds}}\n",
        "f.yaml");
    EXPECT_EQ(cfg.input.fifo_depth, 8);
    expect_error("name: t\ndevice: {clock_mhz: 100}\ninput: {height: 8, width: 8, channels: 4, fifo_depth: 0}\n"
                 "layers:\n  - {name: a, type: fc, filters: 4, weights: {quant: binary}, activation: {type: thresholds}}\n",
                 "3", "input.fifo_depth", {">= 1"});
}

TEST(ConfigLoader, ParamsSubstitutionAndOverrides) {
    const char* yaml = R"(name: net_${C}
params:
  C: 16
  K: 3
  Q: binary
device: {clock_mhz: "${C}0"}
input: {height: 8, width: 8, channels: 4}
layers:
  - name: conv_${K}x${K}
    type: conv
    kernel: ${K}
    filters: ${C}
    weights: {quant: "${Q}"}
    activation: {type: thresholds}
)";
    NetworkConfig a = parse_network_config(yaml, "p.yaml");
    EXPECT_EQ(a.name, "net_16");
    EXPECT_DOUBLE_EQ(a.device.clock_mhz, 160.0);
    EXPECT_EQ(a.layers[0].name, "conv_3x3");
    EXPECT_EQ(a.layers[0].kernel, 3);
    EXPECT_EQ(a.layers[0].out.channels, 16);
    EXPECT_EQ(a.layers[0].weights.quant, WeightQuant::Binary);

    NetworkConfig b = parse_network_config(yaml, "p.yaml", {{"C", "32"}, {"K", "5"}, {"Q", "ternary"}});
    EXPECT_EQ(b.name, "net_32");
    EXPECT_DOUBLE_EQ(b.device.clock_mhz, 320.0);
    EXPECT_EQ(b.layers[0].name, "conv_5x5");
    EXPECT_EQ(b.layers[0].kernel, 5);
    expect_shape(b.layers[0].out, 4, 4, 32);
    EXPECT_EQ(b.layers[0].weights.quant, WeightQuant::Ternary);
}

TEST(ConfigLoader, LoadsRealFileAndResolvesWeightPath) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("qsim_cfg_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::path file = dir / "net.yaml";
    {
        std::ofstream f(file);
        f << net("  - name: c\n" + std::string(kConvBody)) << "weights: {file: weights.qw}\n";
    }
    NetworkConfig cfg = load_network_config(file.string());
    EXPECT_EQ(cfg.source_file, file.string());
    EXPECT_EQ(cfg.weights.kind, WeightSource::Kind::File);
    EXPECT_EQ(fs::path(cfg.weights.path), dir / "weights.qw");
    expect_shape(cfg.layers[0].out, 6, 6, 8);

    // An error in a real file names its path and line.
    fs::path bad = dir / "bad.yaml";
    {
        std::ofstream f(bad);
        f << net("  - name: c\n    type: conv\n    kernel: 0\n");
    }
    try {
        load_network_config(bad.string());
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(bad.string() + ":7:13: layers[0].kernel: must be >= 1 (got 0)", 0), 0u)
            << e.what();
        EXPECT_EQ(e.loc().line, 7);
        EXPECT_EQ(e.loc().column, 13);
    }
    fs::remove_all(dir);
}

// The annotated example in docs/config.md must stay valid and match its comments.
TEST(ConfigLoader, DocumentationExampleIsValid) {
    std::ifstream f(std::string(QSIM_SOURCE_DIR) + "/docs/config.md");
    ASSERT_TRUE(f) << "docs/config.md not found";
    std::string line, yaml;
    bool in_block = false, done = false;
    while (!done && std::getline(f, line)) {
        if (!in_block && line == "```yaml") {
            in_block = true;
        } else if (in_block && line == "```") {
            done = true;
        } else if (in_block) {
            yaml += line + "\n";
        }
    }
    ASSERT_TRUE(done);
    // The example names device Z7020, looked up in configs/devices.yaml.
    NetworkConfig cfg = parse_network_config(yaml, "config.md", {}, kConfigDir);
    EXPECT_EQ(cfg.device.name, "Z7020");
    EXPECT_EQ(cfg.device.dsp, 220);
    ASSERT_EQ(cfg.layers.size(), 6u);
    EXPECT_EQ(cfg.layers[0].activation.bits, 2);  // ${BITS}
    EXPECT_EQ(cfg.layers[0].folding.pe, 16);      // ${PE1}
    expect_shape(cfg.layers[2].out, 14, 14, 96);
    EXPECT_EQ(cfg.layers[2].datapath, Datapath::AddSub);
    EXPECT_EQ(cfg.layers[3].datapath, Datapath::XnorPopcount);
    expect_shape(cfg.layers[4].out, 1, 1, 96);
    EXPECT_EQ(cfg.layers[5].datapath, Datapath::DspMac);
    EXPECT_EQ(cfg.layers[5].out_encoding, Encoding::Accumulator);
}

TEST(ConfigJson, ContainsEffectiveFields) {
    const nlohmann::json j = effective_json(kCnn, "cnn.yaml", kConfigDir);
    EXPECT_EQ(j["name"], "tiny_cnn");
    EXPECT_EQ(j["device"]["clock_mhz"], 100.0);
    EXPECT_EQ(j["device"]["name"], "Z7020");
    EXPECT_EQ(j["device"]["derived"]["family"], "Zynq-7000");
    EXPECT_EQ(j["device"]["derived"]["lut"], 53200);
    EXPECT_EQ(j["device"]["derived"]["ff"], 106400);
    EXPECT_EQ(j["device"]["derived"]["bram18"], 280);
    EXPECT_EQ(j["device"]["derived"]["dsp"], 220);
    EXPECT_FALSE(j["run"].contains("watchdog_cycles"));  // derived from the design
    EXPECT_EQ(j["input"]["channels"], 3);
    EXPECT_EQ(j["input"]["derived"]["encoding"], "unsigned");
    EXPECT_TRUE(j["weights"].contains("generator"));
    EXPECT_FALSE(j["weights"].contains("file"));
    EXPECT_EQ(j["run"]["frames"], 3);
    ASSERT_EQ(j["layers"].size(), 4u);
    const auto& c1 = j["layers"][0];
    EXPECT_EQ(c1["type"], "conv");
    EXPECT_EQ(c1["padding"], nlohmann::json::array({1, 1}));
    EXPECT_EQ(c1["derived"]["out"], nlohmann::json::array({32, 32, 60}));
    EXPECT_EQ(c1["derived"]["out_encoding"], "bipolar");
    EXPECT_EQ(c1["datapath"], "addsub");
    EXPECT_EQ(c1["weights"]["quant"], "binary");
    EXPECT_EQ(c1["activation"]["type"], "bipolar");
    EXPECT_EQ(c1["folding"]["pe"], 60);
    EXPECT_EQ(c1["swu_buffer_rows"], 4);
    EXPECT_EQ(j["layers"][2]["datapath"], "xnor_popcount");
    EXPECT_EQ(j["layers"][2]["groups"], 2);
    const auto& p1 = j["layers"][1];
    EXPECT_EQ(p1["type"], "maxpool");
    EXPECT_FALSE(p1.contains("weights"));
    EXPECT_FALSE(p1.contains("groups"));
    EXPECT_FALSE(p1.contains("datapath"));
    const auto& g = j["layers"][3];
    EXPECT_EQ(g["type"], "global_maxpool");
    EXPECT_FALSE(g.contains("kernel"));
    EXPECT_FALSE(g.contains("swu_buffer_rows"));
    EXPECT_EQ(g["derived"]["out"], nlohmann::json::array({1, 1, 160}));
}

TEST(ConfigJson, TheEffectiveConfigurationDerivesTheSameDesign) {
    // Every shipped configuration (and its variants): the effective configuration, written as
    // YAML and loaded again, is the same design.
    const std::string dir = std::string(QSIM_SOURCE_DIR) + "/configs";
    const std::vector<std::pair<std::string, std::map<std::string, std::string>>> cases = {
        {"alexnet_pruned40.yaml", {}},   {"tinyyolo_pruned50.yaml", {}},   {"sparse_tnn_vgg.yaml", {}},
        {"sparse_tnn_mlp.yaml", {}},     {"syq_mvtu_zu3.yaml", {{"scaling", "pixel"}}},
        {"addnet_alexnet.yaml", {{"rccm", "4add"}}}, {"alexnet_pcie.yaml", {{"arch", "loopback"}}},
        {"finn_lfc.yaml", {}},           {"mnist_gmp_cnn.yaml", {}},       {"mnist_int8_cnn.yaml", {}},
        {"trained/fmnist_sparse_tnn.yaml", {}}};
    for (const auto& [file, params] : cases) {
        SCOPED_TRACE(file);
        const design::NetworkSpec spec = design::read_yaml_spec(dir + "/" + file, params);
        const NetworkConfig net = design::derive_or_throw(spec);
        const nlohmann::json first = design::effective_config_json(spec, net);
        // Written where the file was, so relative paths resolve the same way.
        const design::NetworkSpec again =
            design::parse_yaml_spec(design::spec_yaml(design::effective_spec(spec, net)), spec.file, {}, ".");
        const nlohmann::json second = design::effective_config_json(again, design::derive_or_throw(again));
        EXPECT_EQ(first.dump(1), second.dump(1));
    }
}

}  // namespace config_loader_test
}  // namespace qsim
