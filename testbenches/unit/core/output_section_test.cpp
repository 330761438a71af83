// Tests of the configuration's `output` section (docs/config.md): the host's dequantisation of
// the last layer's outputs, parsed and checked once into NetworkConfig::output, in the effective
// configuration (the class `sim --dataset` predicts from it: output_dataset_test.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace output_section_test {

using testing_support::effective_json;
using testing_support::expect_error;

// A network whose last layer is an fc layer of 4 raw accumulators; `output` the section's text.
std::string classifier(const std::string& output) {
    return "name: t\n"                                                                          // 1
           "device: {clock_mhz: 100}\n"                                                         // 2
           "input: {height: 4, width: 4, channels: 2}\n"                                        // 3
           "layers:\n"                                                                          // 4
           "  - {name: c, type: conv, kernel: 3, filters: 8, weights: {quant: binary}, activation: {type: thresholds}}\n"
           "  - {name: fc, type: fc, filters: 4, weights: {quant: binary}, activation: {type: none}}\n" +  // 6
           output;                                                                               // 7
}

TEST(OutputSection, ANumberStandsForEveryChannelAndAListGivesOnePerChannel) {
    const NetworkConfig plain = parse_network_config(classifier(""), "t.yaml");
    EXPECT_FALSE(plain.output.enabled);
    const NetworkConfig n = parse_network_config(classifier("output: {scale: 0.5, offset: [1, -2, 3.25, 0]}\n"), "t.yaml");
    ASSERT_TRUE(n.output.enabled);
    EXPECT_EQ(n.output.scale, (std::vector<double>{0.5, 0.5, 0.5, 0.5}));
    EXPECT_EQ(n.output.offset, (std::vector<double>{1, -2, 3.25, 0}));
    EXPECT_EQ(n.output.encoding, Encoding::Accumulator);
    EXPECT_DOUBLE_EQ(n.output.value(7, 1), 0.5 * 7 - 2);
    // Defaults: scale 1, offset 0; a list of one number is that number.
    const NetworkConfig s = parse_network_config(classifier("output: {scale: [2]}\n"), "t.yaml");
    EXPECT_EQ(s.output.scale, (std::vector<double>{2, 2, 2, 2}));
    EXPECT_EQ(s.output.offset, (std::vector<double>{0, 0, 0, 0}));
    // A block mapping and a per-channel scale.
    const NetworkConfig b = parse_network_config(classifier("output:\n  scale: [1, 2, 3, 4.5e-3]\n"), "t.yaml");
    EXPECT_EQ(b.output.scale, (std::vector<double>{1, 2, 3, 4.5e-3}));
}

TEST(OutputSection, ABipolarOutputIsDequantisedFromItsValues) {
    // The values of bipolar codes are -1 and +1: scale x (2 code - 1) + offset.
    const NetworkConfig n = parse_network_config(
        "name: t\ndevice: {clock_mhz: 100}\ninput: {height: 1, width: 1, channels: 8}\nlayers:\n"
        "  - {name: fc, type: fc, filters: 2, weights: {quant: binary}, activation: {type: bipolar}}\n"
        "output: {scale: [2, 3], offset: [0, 1]}\n",
        "t.yaml");
    EXPECT_EQ(n.output.encoding, Encoding::Bipolar);
    EXPECT_DOUBLE_EQ(n.output.value(0, 0), -2.0);
    EXPECT_DOUBLE_EQ(n.output.value(1, 1), 4.0);
}

TEST(OutputSection, BadValuesNameTheFileLineAndField) {
    expect_error(classifier("output: {scale: 0}\n"), "7:17", "output.scale", {"must be > 0 (got 0)"});
    expect_error(classifier("output: {scale: [1, -1, 1, 1]}\n"), "7:17", "output.scale",
                 {"channel 1: must be > 0 (got -1)"});
    expect_error(classifier("output: {offset: [1, 2, 3]}\n"), "7:18", "output.offset",
                 {"expected one number, or one per output channel of the last layer 'fc' (4), got 3"});
    expect_error(classifier("output: {offset: [1, x, 3, 4]}\n"), "7:18", "output.offset",
                 {"channel 1: expected a number, got 'x'"});
    expect_error(classifier("output: {scale: inf}\n"), "7:17", "output.scale", {"expected a number, got 'inf'"});
    expect_error(classifier("output: {offset: .nan}\n"), "7:18", "output.offset", {"expected a number"});
    expect_error(classifier("output: {shift: 2}\n"), "7:10", "output.shift", {"unknown field 'shift'", "scale, offset"});
    expect_error(classifier("output: 3\n"), "7", "output", {"expected a mapping"});
    // A label select's outputs are classes.
    expect_error(classifier("  - {name: top, type: topk, k: 2}\noutput: {scale: 2}\n"), "8:9", "output",
                 {"'top' is a topk label select", "remove the output section"});
}

TEST(OutputSection, TheEffectiveConfigurationCarriesTheSectionAndItsPerChannelValues) {
    const nlohmann::json j = effective_json(classifier("output: {offset: [1, -2, 3.25, 0]}\n"));
    EXPECT_EQ(j["output"]["offset"], (std::vector<std::string>{"1", "-2", "3.25", "0"}));
    EXPECT_EQ(j["output"]["scale"], (std::vector<std::string>{"1"})) << "the default, written out";
    EXPECT_EQ(j["output"]["derived"]["scale"], (std::vector<double>{1, 1, 1, 1}));
    EXPECT_EQ(j["output"]["derived"]["offset"], (std::vector<double>{1, -2, 3.25, 0}));
    EXPECT_FALSE(effective_json(classifier("")).contains("output"));
}

}  // namespace output_section_test
}  // namespace qsim
