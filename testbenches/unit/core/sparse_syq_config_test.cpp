// Core tests of the loader for the thesis's own blocks (docs/config.md): the `decompressor`
// section of a sparse ternary layer (ch. 3.4) and the `scaling` section of a SYQ layer
// (ch. 5.4, 5.7), their defaults, derived values and every rejection with its position.
#include <gtest/gtest.h>

#include "sim/design/config_loader.hpp"
#include "testbenches/unit/config_test_support.hpp"

namespace qsim {
namespace sparse_syq_config_test {

using testing_support::expect_error;
using testing_support::net;

const std::string kFc = "  - name: fc1\n"              // 5
                        "    type: fc\n"                // 6
                        "    filters: 8\n"              // 7
                        "    weights: {quant: ternary}\n"  // 8
                        "    activation: {type: thresholds}\n";  // 9

const std::string kConv = "  - name: conv1\n"           // 5
                          "    type: conv\n"             // 6
                          "    kernel: 3\n"              // 7
                          "    filters: 8\n"             // 8
                          "    activation: {type: thresholds}\n";  // 9

TEST(SparseSyqConfig, DecompressorDefaultsAndDerivedDensity) {
    const std::string yaml = "name: t\ndevice: {clock_mhz: 100}\ninput: {height: 1, width: 1, channels: 64}\n"
                             "weights: {generator: {seed: 1, sparsity: 0.9}}\nlayers:\n" + kFc +
                             "    decompressor: {encoding: huffman, batch: 4}\n    folding: {pe: 2}\n";
    const NetworkConfig c = parse_network_config(yaml, "t.yaml");
    const DecompressorConfig& d = c.layers[0].decompressor;
    EXPECT_TRUE(d.enabled);
    EXPECT_EQ(d.encoding, WeightEncoding::Huffman);
    EXPECT_EQ(d.delta_bits, 7);
    EXPECT_EQ(d.batch, 4);
    EXPECT_NEAR(d.expected_density, 0.1, 1e-12);
    // Without the section: the MVTU.
    const NetworkConfig plain = parse_network_config(net(kFc), "t.yaml");
    EXPECT_FALSE(plain.layers[0].decompressor.enabled);
}

TEST(SparseSyqConfig, ScalingGranularities) {
    for (const auto& [g, factors] : std::vector<std::pair<std::string, int>>{{"layer", 0}, {"row", 3}, {"pixel", 9}}) {
        const NetworkConfig c = parse_network_config(
            net(kConv + "    weights: {quant: binary}\n    scaling: {granularity: " + g + ", bits: 6}\n"), "t.yaml");
        EXPECT_EQ(c.layers[0].scaling_factors(), factors) << g;
        EXPECT_EQ(c.layers[0].scaling.bits, 6);
        EXPECT_EQ(c.layers[0].max_scale(), factors ? 63 : 1);
    }
}

TEST(SparseSyqConfig, DecompressorRejections) {
    // Ternary weights only; reported at the decompressor mapping.
    expect_error(net("  - name: fc1\n    type: fc\n    filters: 8\n    weights: {quant: binary}\n"
                     "    activation: {type: thresholds}\n    decompressor: {}\n"),
                 "10:19", "layers[0].decompressor", {"needs ternary weights", "binary"});
    expect_error(net(kFc + "    decompressor: {encoding: zip}\n"), "10:30", "layers[0].decompressor.encoding",
                 {"unknown weight encoding 'zip'", "rle, huffman"});
    expect_error(net(kFc + "    decompressor: {delta_bits: 0}\n"), "10:32", "layers[0].decompressor.delta_bits",
                 {"must be in 1..15 (got 0)"});
    expect_error(net(kFc + "    decompressor: {batch: 0}\n"), "10:27", "layers[0].decompressor.batch",
                 {"must be in 1..65536 (got 0)"});
    expect_error(net(kFc + "    decompressor: {pes: 4}\n"), "10:20", "layers[0].decompressor.pes",
                 {"unknown field 'pes'; expected one of: encoding, delta_bits, batch"});
    expect_error(net(kConv + "    weights: {quant: ternary}\n    decompressor: {batch: 2}\n"), "11:20",
                 "layers[0].decompressor.batch", {"applies to fc layers"});
    expect_error(net("  - name: conv1\n    type: conv\n    kernel: 3\n    filters: 8\n    groups: 2\n"
                     "    weights: {quant: ternary}\n    activation: {type: thresholds}\n    decompressor: {}\n"),
                 "12:19", "layers[0].decompressor", {"needs groups = 1"});
    expect_error(net(kConv + "    weights: {quant: ternary}\n    folding: {pe: 4}\n    reuse: 2\n    decompressor: {}\n"),
                 "13:19", "layers[0].decompressor", {"cannot be combined with PE reuse"});
    expect_error(net(kConv + "    weights: {quant: ternary}\n    scaling: {granularity: row}\n    decompressor: {}\n"),
                 "12:19", "layers[0].decompressor", {"cannot be combined with row- or pixel-wise SYQ scaling"});
}

TEST(SparseSyqConfig, ScalingRejections) {
    expect_error(net(kFc + "    scaling: {granularity: pixel}\n"), "10:5", "layers[0].scaling",
                 {"not allowed for type 'fc'"});
    expect_error(net(kConv + "    weights: {quant: binary}\n    scaling: {granularity: pixel, bits: 17}\n"), "11:41",
                 "layers[0].scaling.bits", {"must be in 1..16 (got 17)"});
    expect_error(net(kConv + "    weights: {quant: binary}\n    scaling: {size: 3}\n"), "11:15",
                 "layers[0].scaling.size", {"unknown field 'size'; expected one of: granularity, bits"});
    expect_error(net("  - name: conv1\n    type: conv\n    kernel: 3\n    filters: 8\n    groups: 2\n"
                     "    weights: {quant: binary}\n    activation: {type: thresholds}\n"
                     "    scaling: {granularity: row}\n"),
                 "12:28", "layers[0].scaling.granularity", {"needs groups = 1"});
    expect_error(net(kConv + "    weights: {quant: binary}\n    folding: {pe: 4}\n    reuse: 2\n"
                             "    scaling: {granularity: pixel}\n"),
                 "13:14", "layers[0].scaling", {"cannot be combined with PE reuse"});
}

TEST(SparseSyqConfig, NotWithAHostLink) {
    const std::string yaml = "name: t\ndevice: {clock_mhz: 100}\ninput: {height: 8, width: 8, channels: 4}\n"
                             "host: {}\nlayers:\n" + kConv +
                             "    weights: {quant: binary}\n    scaling: {granularity: pixel}\n";
    expect_error(yaml, "12:14", "layers[0].scaling", {"not supported with a host: link"});
}

}  // namespace sparse_syq_config_test
}  // namespace qsim
