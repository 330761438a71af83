// Core tests of the resource model of the thesis's own blocks (docs/resources.md): the dense
// peaks of the KU115 from the device library and the cost constants (ch. 3.4.3: 46.4 TOPs
// XNOR-popcount, 1.3 TOPs float add), the effective cost C_e = gamma (C_op + C_d / R) of
// ch. 3.4.4, the decompressor-fed PE array's parts, and Table 5.7's DSP counts derived from the
// scaling multipliers and the HLS MVTU's loop-bound multiplier.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/design/config_loader.hpp"
#include "models/resources/cost_model.hpp"
#include "models/resources/effective_throughput.hpp"
#include "models/resources/resource_model.hpp"

namespace qsim {
namespace sparse_resources_test {

const std::string kConfigs = std::string(QSIM_SOURCE_DIR) + "/configs/";

DeviceConfig ku115() { return load_network_config(kConfigs + "sparse_tnn_mlp.yaml").device; }

TEST(SparseThroughput, DensePeaksOfTheKu115FollowFromTheDeviceAndTheConstants) {
    const DeviceConfig d = ku115();
    ASSERT_EQ(d.lut, 663360);
    ASSERT_EQ(d.dsp, 5520);
    const SparseCostModel x = sparse_cost_model(d, SparseDatapath::XnorPopcount, 250.0);
    // 0.7 x 663,360 / 5 LUT = 92,870 MACs per clock, x 2 OPs x 250 MHz = 46.4 TOPs.
    EXPECT_NEAR(x.dense_peak_ops() / 1e12, 46.4, 0.05);
    const SparseCostModel f = sparse_cost_model(d, SparseDatapath::FloatAdd, 250.0);
    // 5,520 DSP / 2 per adder = 2,760 MACs per clock: 1.38 TOPs, published as "1.3 TOPs".
    EXPECT_NEAR(f.dense_peak_ops() / 1e12, 1.38, 0.005);
    EXPECT_GE(f.dense_peak_ops() / 1e12, 1.3);
    EXPECT_DOUBLE_EQ(x.c_d, f.c_d);  // the decoder is LUTs for both
    EXPECT_NEAR(x.c_d, 112.0 / (0.7 * 663360), 1e-15);
    EXPECT_THROW(sparse_cost_model(DeviceConfig{}, SparseDatapath::XnorPopcount, 250.0), std::invalid_argument);
}

TEST(SparseThroughput, EffectiveCostIsGammaTimesOpPlusDecoderOverReuse) {
    const SparseCostModel m = sparse_cost_model(ku115(), SparseDatapath::XnorPopcount, 250.0);
    EXPECT_DOUBLE_EQ(m.effective_cost(0.5, 4), 0.5 * (m.c_op + m.c_d / 4));
    // No sparsity and unbounded reuse: the dense peak; sparsity multiplies it by 1 / gamma.
    EXPECT_NEAR(m.effective_ops(1.0, 1e12) / m.dense_peak_ops(), 1.0, 1e-9);
    EXPECT_NEAR(m.effective_ops(0.1, 1e12) / m.dense_peak_ops(), 10.0, 1e-6);
    // A decoder per MAC (R = 1) costs 112 / 5 = 22.4 MACs' worth of LUTs.
    EXPECT_NEAR(m.effective_ops(1.0, 1.0) / m.dense_peak_ops(), 5.0 / 117.0, 1e-9);
    // The type-2 network needs less sparsity to beat its dense peak: its MACs are costlier.
    const SparseCostModel f = sparse_cost_model(ku115(), SparseDatapath::FloatAdd, 250.0);
    EXPECT_GT(f.effective_ops(0.5, 16) / f.dense_peak_ops(), m.effective_ops(0.5, 16) / m.dense_peak_ops());
    EXPECT_DOUBLE_EQ(m.array_cost(4, 8), 4 * (m.c_d + 8 * m.c_op));
}

TEST(SparseResources, DecompressorArrayParts) {
    const NetworkConfig dense = load_network_config(kConfigs + "sparse_tnn_mlp.yaml", {{"sparsity", "0"}});
    const NetworkConfig sparse = load_network_config(kConfigs + "sparse_tnn_mlp.yaml");
    const ResourceReport a = estimate_resources(dense), b = estimate_resources(sparse);
    // fc2: 64 decoders of 112 LUT; the compressed memory shrinks with the density.
    const Resources dec = b.block_total("fc2", "decompressor");
    EXPECT_GE(dec.lut, 64u * cost::kRleDecoderLut);
    EXPECT_LT(dec.bram18 * 5, a.block_total("fc2", "decompressor").bram18);
    // 64 lanes x batch 4 PEs, each with an input buffer of 4,096 one-bit values.
    bool found = false;
    for (const auto& it : b.items)
        if (it.layer == "fc2" && it.part == "input buffers") {
            found = true;
            EXPECT_EQ(it.use.bram18, 256u) << it.rule;
        }
    EXPECT_TRUE(found);
    EXPECT_EQ(b.block_total("fc2", "mvtu").lut, 0u);  // no MVTU in a decompressor layer
    EXPECT_GT(cost::huffman_decoder_luts(), cost::kRleDecoderLut);
}

TEST(SyqResources, Table57DspCountsFollowFromTheMultipliers) {
    EXPECT_EQ(cost::dsp_tiles(32, 32, false, "Zynq UltraScale+"), 4u);  // 2 x 2 tiles of 26 x 17
    EXPECT_EQ(cost::dsp_tiles(32, 32, false, "Zynq-7000"), 4u);
    EXPECT_EQ(cost::dsp_tiles(13, 9, true, "Zynq UltraScale+"), 1u);
    EXPECT_EQ(cost::dsp_tiles(30, 9, true, "Zynq UltraScale+"), 2u);
    struct Row {
        const char* scaling;
        const char* simd;
        const char* pe;
        uint64_t dsp;
    };
    for (const Row& r : {Row{"layer", "32", "32", 4}, Row{"layer", "32", "64", 4}, Row{"pixel", "32", "32", 36},
                         Row{"pixel", "64", "32", 36}, Row{"pixel", "32", "64", 68}, Row{"row", "32", "64", 68}}) {
        const NetworkConfig net = load_network_config(kConfigs + "syq_mvtu_zu3.yaml",
                                                      {{"scaling", r.scaling}, {"simd", r.simd}, {"pe", r.pe}});
        const ResourceReport rep = estimate_resources(net);
        EXPECT_EQ(rep.block_total("conv", "mvtu").dsp, r.dsp) << r.scaling << " " << r.simd << "/" << r.pe;
    }
    // The implementation flow has no loop-bound multiplier: a layer-wise MVTU uses no DSP there.
    NetworkConfig impl = load_network_config(kConfigs + "syq_mvtu_zu3.yaml");
    impl.resources.flow = ResourceFlow::Implementation;
    EXPECT_EQ(estimate_resources(impl).block_total("conv", "mvtu").dsp, 0u);
    // The scaled accumulator is 8 bits wider than the sub-dot product (factor codes < 2^8).
    const NetworkConfig pix = load_network_config(kConfigs + "syq_mvtu_zu3.yaml", {{"scaling", "pixel"}});
    EXPECT_EQ(cost::syq_sub_accumulator_bits(pix.layers[0]), 12);  // 384 x 3 = 1,152 < 2^11, + sign
    EXPECT_EQ(cost::accumulator_bits(pix.layers[0]), 23);          // 9 x 1,152 x 255 < 2^22, + sign
}

}  // namespace sparse_resources_test
}  // namespace qsim
