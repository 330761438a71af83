// Core tests of the configuration loader on invalid networks: every class of problem is one
// ConfigError naming the file, line and column, the field and the rule; the limits of the
// simulated time and of the per-frame counts.
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
namespace config_errors_test {

using testing_support::kConfigDir;
using testing_support::kConvBody;
using testing_support::with_device;
using testing_support::expect_error;
using testing_support::net;

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
                 {"unknown field 'strid'", "expected one of: name, type, inputs, input_fifo_depths, kernel, kernel_width, stride"});
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
                 "9:36", "layers[0].weights.bits", {"must be 1 for binary weights (got 2)", "take weights.quant: uniform"});
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

}  // namespace config_errors_test
}  // namespace qsim
