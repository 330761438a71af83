// Tests of the YAML network-description loader: every derived field on valid networks,
// ${PARAM} substitution and overrides, the JSON dump, and one test per class of invalid
// input checking that the error names the file, the line:column, the field and the rule.
#include "sim/design/config_loader.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace {

using testing_support::effective_json;
using testing_support::expect_error;
using testing_support::net;

// A valid conv layer body (without the "  - name:" line), for quick variations.
const char* kConvBody =
    "    type: conv\n"
    "    kernel: 3\n"
    "    filters: 8\n"
    "    weights: {quant: binary}\n"
    "    activation: {type: thresholds}\n";

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

// The shipped device library (configs/devices.yaml) is found in the config's directory.
const std::string kConfigDir = std::string(QSIM_SOURCE_DIR) + "/configs";

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

// ---------------------------------------------------------------------------------------
// Invalid inputs. Locations are 1-based line:column of the offending node (for a missing
// field, of the mapping that should hold it).

TEST(ConfigLoaderError, MalformedYaml) {
    expect_error("name: t\ndevice: {clock_mhz: 100\ninput: x\n", "3", "yaml", {"malformed YAML"});
    // The parser's own position is reported.
    try {
        parse_network_config("name: t\nlayers: [a, b\n", "bad.yaml");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_GT(e.loc().line, 0) << e.what();
        EXPECT_EQ(e.field(), "yaml");
    }
    expect_error("name: t\n  bad: indent\n", "2", "yaml", {"malformed YAML"});
}

TEST(ConfigLoaderError, EmptyDocumentAndWrongRoot) {
    expect_error("", "1:1", "", {"empty document", "name, device, input and layers"});
    expect_error("- a\n- b\n", "1:1", "", {"expected a mapping", "got a sequence"});
    expect_error("name: a\n---\nname: b\n", "3:1", "yaml", {"single YAML document", "found 2"});
}

TEST(ConfigLoaderError, UnknownTopLevelField) {
    expect_error(net("  - name: c\n" + std::string(kConvBody)) + "layerz: 1\n", "11:1", "layerz",
                 {"unknown field 'layerz'", "expected one of: name, params, device, input"});
}

TEST(ConfigLoaderError, UnknownLayerFieldListsAllowedOnes) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "    strid: 2\n"), "11:5",
                 "layers[0].strid",
                 {"unknown field 'strid'", "expected one of: name, type, kernel, stride"});
}

TEST(ConfigLoaderError, MissingRequiredTopLevelField) {
    expect_error("name: t\ndevice: {clock_mhz: 1}\nlayers: []\n", "1:1", "input",
                 {"missing required field"});
}

TEST(ConfigLoaderError, MissingFieldReportedAtParentMapping) {
    expect_error("name: t\ndevice:\n  name: x\ninput: {height: 8, width: 8, channels: 4}\nlayers: []\n",
                 "3:3", "device.clock_mhz", {"missing required field"});
    expect_error("name: t\ndevice: {clock_mhz: 1}\ninput: {width: 8, channels: 4}\nlayers: []\n",
                 "3:8", "input.height", {"missing required field"});
}

TEST(ConfigLoaderError, MissingLayerKernel) {
    expect_error(net("  - name: c\n    type: conv\n    filters: 8\n"), "5:5", "layers[0].kernel",
                 {"missing required field"});
}

TEST(ConfigLoaderError, WrongScalarType) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: abc\n"), "7:13", "layers[0].kernel",
                 {"expected an integer, got 'abc'"});
}

TEST(ConfigLoaderError, NonIntegerNumber) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: 2.5\n"), "7:13", "layers[0].kernel",
                 {"expected an integer, got '2.5'"});
}

TEST(ConfigLoaderError, IntegerOverflow) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: 99999999999\n"), "7:13",
                 "layers[0].kernel", {"fits in 32 bits", "'99999999999'"});
}

TEST(ConfigLoaderError, ZeroSize) {
    expect_error("name: t\ndevice: {clock_mhz: 1}\ninput: {height: 0, width: 8, channels: 4}\nlayers: []\n",
                 "3:17", "input.height", {"must be >= 1 (got 0)"});
}

TEST(ConfigLoaderError, NegativeStride) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    stride: -1\n"), "8:13",
                 "layers[0].stride", {"must be >= 1 (got -1)"});
}

TEST(ConfigLoaderError, NonPositiveClock) {
    expect_error("name: t\ndevice: {clock_mhz: 0}\n", "2:21", "device.clock_mhz", {"must be > 0 (got 0)"});
    expect_error("name: t\ndevice: {clock_mhz: fast}\n", "2:21", "device.clock_mhz",
                 {"expected a number, got 'fast'"});
}

TEST(ConfigLoaderError, KernelLargerThanPaddedMap) {
    // 8x8 input, padding 1 -> 10 rows; kernel 11 does not fit.
    expect_error(net("  - name: c\n    type: conv\n    kernel: 11\n    padding: 1\n    filters: 4\n"),
                 "7:13", "layers[0].kernel", {"must be <= padded input height = 10 (got 11)"});
}

TEST(ConfigLoaderError, SimdMustDivideChannelsPerGroup) {
    const std::string yaml =
        "name: t\n"
        "device: {clock_mhz: 100}\n"
        "input: {height: 8, width: 8, channels: 30}\n"
        "layers:\n"
        "  - name: c\n"
        "    type: conv\n"
        "    kernel: 3\n"
        "    filters: 8\n"
        "    weights: {quant: binary}\n"
        "    activation: {type: thresholds}\n"
        "    folding: {simd: 4}\n";
    expect_error(yaml, "11:21", "layers[0].folding.simd",
                 {"must divide in_channels/groups = 30 (got 4)"});
}

TEST(ConfigLoaderError, PeMustDivideOutputChannels) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "    folding: {pe: 3}\n"), "11:19",
                 "layers[0].folding.pe", {"must divide out_channels/groups = 8 (got 3;"});
    expect_error(net("  - {name: f, type: fc, filters: 10, weights: {quant: binary},"
                     " activation: {type: thresholds}, folding: {pe: 4}}\n"),
                 "5", "layers[0].folding.pe", {"must divide out_channels = 10 (got 4;"});
}

TEST(ConfigLoaderError, FcSimdMustDivideFanIn) {
    expect_error(net("  - {name: f, type: fc, filters: 10, weights: {quant: binary},"
                     " activation: {type: thresholds}, folding: {simd: 5}}\n"),
                 "5", "layers[0].folding.simd", {"must divide fan_in = 256 (got 5)"});
}

TEST(ConfigLoaderError, MmvMustDivideOutputWidth) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "    folding: {mmv: 4}\n"), "11:20",
                 "layers[0].folding.mmv", {"must divide the output width = 6 (got 4)"});
}

TEST(ConfigLoaderError, MmvMustBeOneForFc) {
    expect_error(net("  - {name: f, type: fc, filters: 8, weights: {quant: binary},"
                     " activation: {type: thresholds}, folding: {mmv: 2}}\n"),
                 "5", "layers[0].folding.mmv", {"must be 1 for fc layers (got 2)"});
}

TEST(ConfigLoaderError, PoolPeMustBeOne) {
    expect_error(net("  - name: p\n    type: maxpool\n    kernel: 2\n    folding:\n      pe: 2\n"),
                 "9:11", "layers[0].folding.pe", {"must be 1 for maxpool layers (got 2)"});
    expect_error(net("  - name: p\n    type: global_maxpool\n    folding: {simd: 3}\n"), "7:21",
                 "layers[0].folding.simd", {"must divide in_channels = 4 (got 3)"});
}

TEST(ConfigLoaderError, InputBitsOutOfRange) {
    expect_error("name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4, bits: 17}\n",
                 "3:49", "input.bits", {"must be in 1..16 (got 17)"});
}

TEST(ConfigLoaderError, ActivationBitsOutOfRange) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: binary}\n    activation: {type: thresholds, bits: 9}\n"),
                 "10:42", "layers[0].activation.bits", {"must be in 1..8 (got 9)"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: binary}\n    activation: {type: bipolar, bits: 2}\n"),
                 "10:39", "layers[0].activation.bits", {"must be 1 for a bipolar activation (got 2)"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: binary}\n    activation: {type: none, bits: 32}\n"),
                 "10:30", "layers[0].activation.bits", {"not allowed for activation type 'none'"});
}

TEST(ConfigLoaderError, WeightBitsRules) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: binary, bits: 2}\n"),
                 "9:36", "layers[0].weights.bits", {"must be 1 for binary weights (got 2)"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: uniform}\n"),
                 "9:14", "layers[0].weights.bits", {"missing required field"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: uniform, bits: 9}\n"),
                 "9:37", "layers[0].weights.bits", {"must be in 2..8 (got 9)"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: ternary, threshold: 0}\n"),
                 "9:42", "layers[0].weights.threshold", {"must be > 0 (got 0)"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: binary, scale: 0.5}\n"),
                 "9:30", "layers[0].weights.scale", {"not allowed for binary weights"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n"
                     "    weights: {quant: quinary}\n"),
                 "9:22", "layers[0].weights.quant",
                 {"unknown weight quantisation 'quinary'", "expected one of: binary, ternary, uniform"});
}

TEST(ConfigLoaderError, DuplicateLayerName) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "  - name: c\n    type: maxpool\n"), "11:11",
                 "layers[1].name", {"duplicate layer name 'c'", "layers[0]"});
}

TEST(ConfigLoaderError, InvalidLayerName) {
    expect_error(net("  - name: 'a b'\n" + std::string(kConvBody)), "5:11", "layers[0].name",
                 {"A-Z a-z 0-9 _ . -", "'a b'"});
}

TEST(ConfigLoaderError, UnknownLayerType) {
    expect_error(net("  - name: c\n    type: convolution\n"), "6:11", "layers[0].type",
                 {"unknown layer type 'convolution'", "expected one of: conv, fc, maxpool, global_maxpool"});
}

TEST(ConfigLoaderError, FieldNotAllowedForType) {
    expect_error(net("  - {name: f, type: fc, groups: 2, filters: 8}\n"), "5:25", "layers[0].groups",
                 {"not allowed for type 'fc'"});
    expect_error(net("  - name: p\n    type: maxpool\n    kernel: 2\n    weights: {quant: binary}\n"),
                 "8:5", "layers[0].weights", {"not allowed for type 'maxpool'"});
    expect_error(net("  - name: g\n    type: global_maxpool\n    kernel: 2\n"), "7:5", "layers[0].kernel",
                 {"not allowed for type 'global_maxpool'"});
}

TEST(ConfigLoaderError, AccumulatorOverflow) {
    const std::string yaml =
        "name: t\n"
        "device: {clock_mhz: 100}\n"
        "input: {height: 256, width: 256, channels: 3}\n"
        "layers:\n"
        "  - name: big_fc\n"
        "    type: fc\n"
        "    filters: 8\n"
        "    weights: {quant: uniform, bits: 8}\n"
        "    activation: {type: relu}\n";
    expect_error(yaml, "5:5", "layers[0]",
                 {"layer 'big_fc'", "overflow", "fan_in 196608", "127", "255", "2^31"});
}

TEST(ConfigLoaderError, RawAccumulatorIntoComputeLayer) {
    expect_error(net("  - {name: a, type: fc, filters: 8, weights: {quant: binary}, activation: {type: none}}\n"
                     "  - {name: p, type: global_maxpool}\n"
                     "  - {name: b, type: fc, filters: 8, weights: {quant: binary}, activation: {type: none}}\n"),
                 "7:5", "layers[2]", {"raw 32-bit accumulator", "give layer 'a' an activation"});
}

TEST(ConfigLoaderError, DatapathMismatch) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "    datapath: dsp_mac\n"), "11:15",
                 "layers[0].datapath", {"must be 'addsub'", "binary weights", "(got 'dsp_mac')"});
}

TEST(ConfigLoaderError, PruneOutOfRange) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "    prune: 1\n"), "11:12",
                 "layers[0].prune", {"must be in [0, 1) (got 1)"});
}

TEST(ConfigLoaderError, BooleanMustBeTrueOrFalse) {
    expect_error("name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4, signed: yes}\n",
                 "3:51", "input.signed", {"expected true or false, got 'yes'"});
}

TEST(ConfigLoaderError, InChannelsMismatch) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "    in_channels: 3\n"), "11:18",
                 "layers[0].in_channels", {"must equal", "4", "(got 3)"});
}

TEST(ConfigLoaderError, GroupsAndFiltersRules) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    groups: 3\n    filters: 9\n"), "8:13",
                 "layers[0].groups", {"must divide in_channels = 4 (got 3)"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    groups: 2\n    filters: 9\n"), "9:14",
                 "layers[0].filters", {"must be a multiple of groups = 2 (got 9)"});
}

TEST(ConfigLoaderError, BadPadding) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    padding: full\n"), "8:14",
                 "layers[0].padding", {"'same' or 'valid'", "got 'full'"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    padding: [1, 2, 3]\n"), "8:14",
                 "layers[0].padding", {"[before, after]", "got 3"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    padding: [1, -2]\n"), "8:18",
                 "layers[0].padding[1]", {"must be >= 0 (got -2)"});
}

TEST(ConfigLoaderError, SamePaddingDiffersBetweenAxes) {
    const std::string yaml =
        "name: t\n"
        "device: {clock_mhz: 100}\n"
        "input: {height: 5, width: 6, channels: 4}\n"
        "layers:\n"
        "  - {name: c, type: conv, kernel: 3, stride: 2, padding: same, filters: 4}\n";
    expect_error(yaml, "5:58", "layers[0].padding", {"height", "width", "explicitly"});
}

TEST(ConfigLoaderError, SwuBufferTooSmall) {
    expect_error(net("  - name: c\n" + std::string(kConvBody) + "    swu_buffer_rows: 2\n"), "11:22",
                 "layers[0].swu_buffer_rows", {"must be >= kernel = 3 (got 2)"});
}

TEST(ConfigLoaderError, EmptyLayerList) {
    expect_error(net("  []\n"), "5:3", "layers", {"at least one layer"});
}

TEST(ConfigLoaderError, SequenceWhereMappingExpected) {
    expect_error("name: t\ndevice: [100]\n", "2:9", "device", {"expected a mapping", "got a sequence"});
    expect_error(net("  - [conv, 3]\n"), "5:5", "layers[0]", {"expected a mapping", "got a sequence"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: 3\n    filters: 8\n    weights: binary\n"),
                 "9:14", "layers[0].weights", {"expected a mapping", "'binary'"});
    expect_error(net("  - name: c\n    type: conv\n    kernel: {size: 3}\n"), "7:13", "layers[0].kernel",
                 {"expected an integer", "got a mapping"});
    expect_error("name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\nlayers: {a: 1}\n",
                 "4:9", "layers", {"expected a sequence", "got a mapping"});
}

TEST(ConfigLoaderError, DuplicateKey) {
    expect_error("name: t\nname: u\n", "2:1", "name", {"duplicate field 'name'", "line 1"});
}

TEST(ConfigLoaderError, WeightSourceRules) {
    expect_error(net("  - name: c\n" + std::string(kConvBody)) + "weights: {generator: {seed: 2}, file: w.qw}\n",
                 "11:33", "weights", {"exactly one of 'generator' or 'file'"});
    expect_error(net("  - name: c\n" + std::string(kConvBody)) + "weights: {generator: {sparsity: 1.5}}\n",
                 "11:33", "weights.generator.sparsity", {"must be in [0, 1) (got 1.5)"});
    expect_error(net("  - name: c\n" + std::string(kConvBody)) + "weights: {generator: {seed: -3}}\n",
                 "11:29", "weights.generator.seed", {"must be >= 0 (got -3)"});
}

TEST(ConfigLoaderError, UnknownParameterReference) {
    expect_error("name: t\nparams: {K: 3}\ndevice: {clock_mhz: '${X}'}\n", "3:21", "device.clock_mhz",
                 {"unknown parameter '${X}'", "declared parameters: K"});
    expect_error("name: t\ndevice: {clock_mhz: '${X'}\n", "2:21", "device.clock_mhz", {"unterminated"});
}

TEST(ConfigLoaderError, SubstitutedValueStillTypeChecked) {
    expect_error(net("  - name: c\n    type: conv\n    kernel: ${K}\n") + "params: {K: three}\n", "7:13",
                 "layers[0].kernel", {"expected an integer, got 'three'", "from '${K}'"});
}

TEST(ConfigLoaderError, OverrideOfUndeclaredParameter) {
    expect_error("name: t\nparams: {K: 3, C: 8}\n", "", "params.Z",
                 {"undeclared parameter 'Z'", "declared parameters: K, C"}, {{"Z", "1"}});
    expect_error("name: t\n", "", "params.Z", {"undeclared parameter 'Z'", "no parameters"}, {{"Z", "1"}});
}

TEST(ConfigLoaderError, FileNotFound) {
    const std::string path = "/nonexistent_dir_qsim/missing.yaml";
    try {
        load_network_config(path);
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind(path + ": ", 0), 0u) << what;
        EXPECT_NE(what.find("cannot open"), std::string::npos) << what;
        EXPECT_EQ(e.file(), path);
        EXPECT_EQ(e.loc().line, 0);
    }
}

TEST(ConfigLoaderError, NeverCrashesOnOddInputs) {
    // None of these may crash or throw anything but ConfigError.
    const std::vector<std::string> inputs = {
        "42",
        "~",
        "[1, 2, 3]",
        "name: [a]\n",
        "name: t\nparams: [1]\n",
        "name: t\nparams: {K: [1]}\n",
        "name: t\nparams: {'1x': 2}\n",
        "? [a, b]\n: 1\n",
        "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\nlayers: [~]\n",
        "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\nlayers: [[1]]\n",
        "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\nlayers: 7\n",
        "name: t\ndevice: {clock_mhz: .inf}\n",
        "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 65536, width: 65536, channels: 65536}\n",
        "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\n"
        "layers: [{name: c, type: conv, kernel: 1, padding: 2147483647, filters: 1}]\n",
        "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\n"
        "layers: [{name: c, type: fc, filters: 2147483647, prune: 0.5, folding: {pe: 2147483647}}]\n",
        "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\n"
        "layers: [{name: p, type: maxpool, kernel: 2147483647, padding: 2147483647}]\n",
        "a: &x [*x]\n",
        "{{{{{{{{{{{{{{{{{{{{",
        std::string(5000, '['),
        "\t\t:\n",
        "name: \"\\xff\"\n",
    };
    for (const auto& in : inputs) {
        try {
            parse_network_config(in, "odd.yaml");
            ADD_FAILURE() << "accepted: " << in.substr(0, 80);
        } catch (const ConfigError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("odd.yaml", 0), 0u) << e.what();
        } catch (const std::exception& e) {
            ADD_FAILURE() << "non-ConfigError for '" << in.substr(0, 80) << "': " << e.what();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Device library, run.watchdog_cycles, and the 64-bit limits of the simulated time.

// A scratch directory for library files, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("qsim_cfg_" + std::to_string(getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }
    std::string str() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

std::string with_device(const std::string& device) {
    return "name: t\ndevice: " + device +
           "\ninput: {height: 8, width: 8, channels: 4}\nlayers:\n  - name: c\n" + kConvBody;
}

// Expects a ConfigError from parse_network_config(yaml, "cfg.yaml", {}, dir) whose what()
// starts with `prefix` and holds every one of `words`.
void expect_error_in(const std::string& yaml, const std::string& dir, const std::string& prefix,
                     const std::vector<std::string>& words) {
    try {
        parse_network_config(yaml, "cfg.yaml", {}, dir);
        ADD_FAILURE() << "no ConfigError for:\n" << yaml;
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind(prefix, 0), 0u) << "expected prefix '" << prefix << "' in: " << what;
        for (const auto& w : words) EXPECT_NE(what.find(w), std::string::npos) << "expected '" << w << "' in: " << what;
    }
}

TEST(DeviceLibrary, ShippedDevices) {
    struct Want {
        const char* name;
        const char* family;
        int64_t lut, ff, bram18, dsp;
    };
    const Want wants[] = {{"KU115", "Kintex UltraScale", 663360, 1326720, 4320, 5520},
                          {"ZU3", "Zynq UltraScale+", 70560, 141120, 432, 360},
                          {"VU3P", "Virtex UltraScale+", 394080, 788160, 1440, 2280},
                          {"Z7020", "Zynq-7000", 53200, 106400, 280, 220}};
    for (const auto& w : wants) {
        const NetworkConfig cfg = parse_network_config(
            with_device(std::string("{name: ") + w.name + ", clock_mhz: 100}"), "cfg.yaml", {}, kConfigDir);
        EXPECT_EQ(cfg.device.name, w.name);
        EXPECT_EQ(cfg.device.family, w.family);
        EXPECT_EQ(cfg.device.lut, w.lut);
        EXPECT_EQ(cfg.device.ff, w.ff);
        EXPECT_EQ(cfg.device.bram18, w.bram18);
        EXPECT_EQ(cfg.device.dsp, w.dsp);
        EXPECT_DOUBLE_EQ(cfg.device.clock_mhz, 100.0);
    }
    // generic needs no library and has no resource counts.
    const NetworkConfig g = parse_network_config(with_device("{clock_mhz: 100}"), "cfg.yaml", {}, "/nonexistent");
    EXPECT_EQ(g.device.name, "generic");
    EXPECT_EQ(g.device.lut, 0);
    EXPECT_EQ(g.device.library, "");
}

TEST(DeviceLibrary, LoadFileUsesTheConfigDirectory) {
    TempDir d;
    d.write("devices.yaml", "devices:\n  MINE: {family: Test, lut: 10, ff: 20, bram36: 3, dsp: 1}\n");
    std::filesystem::create_directories(d.str() + "/lib");
    d.write("lib/other.yaml", "devices:\n  OTHER: {family: Other, lut: 1, ff: 2, bram18: 3, dsp: 4}\n");
    const std::string cfg = d.write("net.yaml", with_device("{name: MINE, clock_mhz: 100}"));
    const NetworkConfig a = load_network_config(cfg);
    EXPECT_EQ(a.device.family, "Test");
    EXPECT_EQ(a.device.lut, 10);
    EXPECT_EQ(a.device.bram18, 6);  // given as 3 BRAM36
    EXPECT_EQ(a.device.library, d.str() + "/devices.yaml");
    const std::string cfg2 =
        d.write("net2.yaml", with_device("{name: OTHER, library: lib/other.yaml, clock_mhz: 100}"));
    const NetworkConfig b = load_network_config(cfg2);
    EXPECT_EQ(b.device.dsp, 4);
    EXPECT_EQ(b.device.library, d.str() + "/lib/other.yaml");
}

TEST(DeviceLibrary, UnknownDeviceListsTheKnownOnes) {
    expect_error_in(with_device("{name: XCKU040, clock_mhz: 100}"), kConfigDir, "cfg.yaml:2:16: device.name: ",
                    {"unknown device 'XCKU040'; known devices in " + kConfigDir +
                     "/devices.yaml: KU115, ZU3, VU3P, Z7020"});
}

TEST(DeviceLibrary, MissingLibrary) {
    TempDir d;
    expect_error_in(with_device("{name: KU115, clock_mhz: 100}"), d.str(), "cfg.yaml:2:16: device.name: ",
                    {"cannot read device library '" + d.str() + "/devices.yaml'", "No such file"});
    expect_error_in(with_device("{name: KU115, library: nope.yaml, clock_mhz: 100}"), d.str(),
                    "cfg.yaml:2:32: device.library: ",
                    {"cannot read device library '" + d.str() + "/nope.yaml'"});
    // Devices and oversized files are refused, not read.
    expect_error_in(with_device("{name: KU115, library: /dev/zero, clock_mhz: 100}"), d.str(),
                    "cfg.yaml:2:32: device.library: ", {"'/dev/zero': it is not a regular file"});
    d.write("big.yaml", "# " + std::string(2 << 20, 'x') + "\n");
    expect_error_in(with_device("{name: KU115, library: big.yaml, clock_mhz: 100}"), d.str(),
                    "cfg.yaml:2:32: device.library: ", {"big.yaml': it has 2097155 bytes, more than the 1048576"});
    // An explicit library is read and checked even for a generic device.
    expect_error_in(with_device("{library: nope.yaml, clock_mhz: 100}"), d.str(), "cfg.yaml:2:19: device.library: ",
                    {"nope.yaml"});
}

TEST(DeviceLibrary, MalformedLibraryNamesItsFileAndLine) {
    TempDir d;
    const std::string cases[][3] = {
        {"devices:\n  A: {family: x, lut: 1\n", ":3:1: yaml: ", "malformed YAML in device library"},
        {"", ":1:1: ", "empty document"},
        {"[1]\n", ":1:1: ", "expected a device library"},
        {"devicez: {}\n", ":1:1: devicez: ", "unknown field 'devicez'; expected one of: devices"},
        {"devices:\n", ":1:1: devices: ", "must list at least one device"},
        {"devices: [A]\n", ":1:10: devices: ", "expected a mapping from device names"},
        {"devices:\n  A: 3\n", ":2:6: devices.A: ", "expected a mapping with the fields family"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1}\n", ":2:6: devices.A.dsp: ", "missing required field"},
        {"devices:\n  A: {family: x, lut: 0, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "must be >= 1 (got 0)"},
        {"devices:\n  A: {family: x, lut: -5, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "must be >= 1 (got -5)"},
        {"devices:\n  A: {family: x, lut: 1.5, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "expected an integer, got '1.5'"},
        {"devices:\n  A: {family: x, lut: 99999999999999999999, ff: 1, bram18: 1, dsp: 1}\n", ":2:23: devices.A.lut: ", "fits in 64 bits"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1, uram: 1}\n", ":2:52: devices.A.uram: ",
         "unknown field 'uram'; expected one of: family, lut, ff, bram18, bram36, dsp"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1, bram36: 1}\n", ":2:60: devices.A.bram36: ",
         "must be half of bram18 = 1 (a BRAM36 is two BRAM18; got 1)"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, dsp: 1}\n", ":2:6: devices.A.bram18: ", "missing required field (or give bram36)"},
        {"devices:\n  A: {family: '', lut: 1, ff: 1, bram18: 1, dsp: 1}\n", ":2:15: devices.A.family: ", "must not be empty"},
        {"devices:\n  generic: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1}\n", ":2:3: devices.generic: ", "reserved"},
        {"devices:\n  A: {family: x, lut: 1, ff: 1, bram18: 1, dsp: 1}\n  A: {family: y, lut: 1, ff: 1, bram18: 1, dsp: 1}\n",
         ":3:3: devices.A: ", "duplicate field 'A'"},
    };
    for (const auto& c : cases) {
        const std::string lib = d.write("lib.yaml", c[0]);
        expect_error_in(with_device("{name: A, library: lib.yaml, clock_mhz: 100}"), d.str(), lib + c[1], {c[2]});
    }
}

TEST(ConfigLoaderError, ClockTooFast) {
    expect_error(with_device("{clock_mhz: 2e6}"), "2:21", "device.clock_mhz",
                 {"must be <= 1000000", "whole femtoseconds", "(got 2000000)"});
}

TEST(RunConfig, WatchdogCycles) {
    const std::string base = "name: t\ndevice: {clock_mhz: 100}\ninput: {height: 8, width: 8, channels: 4}\n";
    const std::string layer = "layers:\n  - name: c\n" + std::string(kConvBody);
    EXPECT_EQ(parse_network_config(base + layer, "cfg.yaml").run.watchdog_cycles, 0u);
    EXPECT_EQ(parse_network_config(base + "run: {watchdog_cycles: 5000}\n" + layer, "cfg.yaml").run.watchdog_cycles,
              5000u);
    expect_error(base + "run: {watchdog_cycles: 0}\n" + layer, "4:24", "run.watchdog_cycles", {"must be >= 1 (got 0"});
    expect_error(base + "run: {watchdog_cycles: -3}\n" + layer, "4:24", "run.watchdog_cycles", {"must be >= 1 (got -3)"});
    expect_error(base + "run: {watchdog_cycles: soon}\n" + layer, "4:24", "run.watchdog_cycles",
                 {"expected a non-negative integer, got 'soon'"});
    // 10 ns per cycle: at most 2^63 fs / 10^7 fs = 922,337,203,685 cycles.
    expect_error(base + "run: {watchdog_cycles: 922337203686}\n" + layer, "4:24", "run.watchdog_cycles",
                 {"must be at most 922337203685 cycles", "2^63 fs"});
    EXPECT_EQ(parse_network_config(base + "run: {watchdog_cycles: 922337203685}\n" + layer, "cfg.yaml")
                  .run.watchdog_cycles,
              922337203685u);
    // One frame (10,368 cycles) fits at 2.25e-6 MHz, but the derived watchdog limit
    // (4 x 10,368 + 10,000 cycles) does not: say so, unless the limit is given.
    const std::string slow = "name: t\ndevice: {clock_mhz: 2.25e-6}\ninput: {height: 8, width: 8, channels: 4}\n";
    expect_error(slow + "run: {frames: 1}\n" + layer, "4:6", "run.watchdog_cycles",
                 {"derived watchdog limit", "51,472 cycles", "give run.watchdog_cycles <= 20,752"});
    EXPECT_NO_THROW(parse_network_config(slow + "run: {frames: 1, watchdog_cycles: 20000}\n" + layer, "cfg.yaml"));
}

TEST(ConfigLoaderError, SimulatedTimeMustFitTheClock) {
    // kConvBody on 8x8x4: the MVTU needs 6*6 * 36 * 8 = 10,368 cycles per frame; at 1 MHz a
    // cycle is 10^9 fs, so 2^63 fs hold 889,599 frames.
    const std::string base = "name: t\ndevice: {clock_mhz: 1}\ninput: {height: 8, width: 8, channels: 4}\n";
    const std::string layer = "layers:\n  - name: c\n" + std::string(kConvBody);
    EXPECT_NO_THROW(parse_network_config(base + "run: {frames: 889599}\n" + layer, "cfg.yaml"));
    expect_error(base + "run: {frames: 889600}\n" + layer, "4:15", "run.frames",
                 {"889600 frames x 10,368 cycles per frame (slowest block: c mvtu) x 1,000,000,000 fs",
                  "2^63 fs", "simulate at most 889,599 frames"});
    // Even the default 2 frames can be too long: reported at run.frames, at the run mapping.
    expect_error("name: t\ndevice: {clock_mhz: 1e-9}\ninput: {height: 8, width: 8, channels: 4}\nrun: {}\n" + layer,
                 "4:6", "run.frames", {"2 frames x", "even one frame does not fit", "defaults to 2"});
    // Without a run section: at line 1.
    expect_error("name: t\ndevice: {clock_mhz: 1e-300}\ninput: {height: 8, width: 8, channels: 4}\n" + layer,
                 "1:1", "run.frames", {"more than 2^100 fs per cycle", "defaults to 2"});
    // The same limit, checked for sim --frames.
    const NetworkConfig cfg = parse_network_config(base + layer, "cfg.yaml");
    EXPECT_EQ(simulated_time_problem(cfg, 889599), "");
    EXPECT_NE(simulated_time_problem(cfg, 2000000000), "");
}

TEST(ConfigLoaderError, PerFrameCountsMustFit64Bits) {
    // A 1x1 input padded to 2^31+1 rows and a 2^31-1 kernel: the pooling unit would need
    // 3*3 * (2^31-1)^2 cycles per frame.
    expect_error("name: t\ndevice: {clock_mhz: 1}\ninput: {height: 1, width: 1, channels: 1}\nlayers:\n"
                 "  - {name: p, type: maxpool, kernel: 2147483647, stride: 1, padding: 1073741824,"
                 " swu_buffer_rows: 2147483647}\n",
                 "5:5", "layers[0]",
                 {"layer 'p': its sliding-window unit (window side) cycles per frame",
                  "3 * 3 * 2147483647*2147483647 * 1 = 41,505,174,127,191,785,481", "does not fit in 64 bits"});
}

}  // namespace
}  // namespace qsim
