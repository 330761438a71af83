// Core tests of SYQ scaling (thesis ch. 5.4, 5.7.2, Fig. 5.3): the ring counter's order and
// wrap-around, the subgroups of a pixel- and row-wise scaled layer, the scaled MVTU kernel
// against a naive reference (every synapse times its subgroup's factor) and against the golden
// reference, and the generator's factors.
#include <gtest/gtest.h>

#include <vector>

#include "models/common/rng.hpp"
#include "models/network/param_generator.hpp"
#include "models/swu/window_kernel.hpp"
#include "models/syq/ring_counter.hpp"
#include "models/syq/syq_kernel.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace syq_kernel_test {

TEST(RingCounter, PresentsTheFactorsInOrderAndWraps) {
    RingCounter ring({5, 7, 9}, 2);
    std::vector<int32_t> seen;
    for (int fold = 0; fold < 12; ++fold) {
        seen.push_back(ring.factor());
        ring.fold_done();  // advances after every 2 folds
    }
    EXPECT_EQ(seen, (std::vector<int32_t>{5, 5, 7, 7, 9, 9, 5, 5, 7, 7, 9, 9}));
    EXPECT_EQ(ring.advances(), 6u);
    ring.advance();
    EXPECT_EQ(ring.index(), 1u);
    ring.restart();
    EXPECT_EQ(ring.factor(), 5);
    EXPECT_THROW(RingCounter({}, 1), std::invalid_argument);
    EXPECT_THROW(RingCounter({1}, 0), std::invalid_argument);
}

// conv 3x3 over 5x5x8, 6 filters, folding SIMD 4.
LayerConfig syq_layer(ScalingGranularity g, WeightQuant q, Encoding in, int in_bits) {
    LayerConfig l = testing_support::conv_layer("conv", 3, 1, 1, {5, 5, 8}, 6);
    testing_support::set_operands(l, in, in_bits, {q, q == WeightQuant::Binary ? 1 : 2, 0.05, 1.0},
                                  {ActivationType::None, 32});
    l.folding = {3, 4, 1};
    l.scaling.granularity = g;
    l.scaling.bits = 8;
    return l;
}

TEST(SyqScaling, SubgroupsArePixelsOrRowsOfTheKernel) {
    const LayerConfig p = syq_layer(ScalingGranularity::Pixel, WeightQuant::Binary, Encoding::Unsigned, 2);
    EXPECT_EQ(p.scaling_factors(), 9);
    EXPECT_EQ(syq_group_length(p), 8);
    EXPECT_EQ(syq_folds_per_group(p), 2u);  // C / SIMD
    EXPECT_EQ(syq_group_of(p, 0), 0);
    EXPECT_EQ(syq_group_of(p, 8 * 4 + 3), 4);  // (ky, kx) = (1, 1)
    const LayerConfig r = syq_layer(ScalingGranularity::Row, WeightQuant::Binary, Encoding::Unsigned, 2);
    EXPECT_EQ(r.scaling_factors(), 3);
    EXPECT_EQ(syq_group_length(r), 24);
    EXPECT_EQ(syq_folds_per_group(r), 6u);  // K * C / SIMD
    EXPECT_EQ(syq_group_of(r, 8 * 4 + 3), 1);
    EXPECT_EQ(r.max_scale(), 255);
    LayerConfig layer = r;
    layer.scaling.granularity = ScalingGranularity::Layer;
    EXPECT_EQ(layer.scaling_factors(), 0);
    EXPECT_EQ(layer.max_scale(), 1);
}

TEST(SyqScaling, KernelMatchesANaiveScaledDotProductAndTheGoldenReference) {
    struct Case {
        ScalingGranularity g;
        WeightQuant q;
        Encoding in;
        int bits;
    };
    for (const Case& c : {Case{ScalingGranularity::Pixel, WeightQuant::Binary, Encoding::Unsigned, 2},
                          Case{ScalingGranularity::Row, WeightQuant::Ternary, Encoding::Unsigned, 3},
                          Case{ScalingGranularity::Pixel, WeightQuant::Binary, Encoding::Bipolar, 1},
                          Case{ScalingGranularity::Row, WeightQuant::Ternary, Encoding::Signed, 4}}) {
        const LayerConfig l = syq_layer(c.g, c.q, c.in, c.bits);
        SCOPED_TRACE(std::string(l.scaling.granularity == ScalingGranularity::Pixel ? "pixel " : "row ") +
                     to_string(l.datapath));
        NetworkConfig net;
        net.input.shape = l.in;
        net.layers.push_back(l);
        const NetworkParams params = generate_params(net, 21, 0.3);
        const LayerParams& p = params.layers[0];
        ASSERT_EQ(int(p.scales.size()), l.scaling_factors());
        for (int32_t f : p.scales) {
            EXPECT_GE(f, 128);
            EXPECT_LE(f, 255);
        }
        // An input frame and its windows.
        FeatureMap fm(l.in);
        Rng rng(7);
        const int levels = c.in == Encoding::Bipolar ? 2 : 1 << c.bits;
        for (auto& v : fm.data) v = int32_t(rng.below(uint32_t(levels))) - (c.in == Encoding::Signed ? levels / 2 : 0);
        SyqMvtuKernel k(l, p);
        const int64_t len = l.fan_in();
        std::vector<int32_t> windows(size_t(l.out.width) * size_t(len));
        std::vector<int32_t> out(size_t(l.out.width) * 6);
        const FeatureMap golden = golden::run_layer(l, p, fm);
        for (int y = 0; y < l.out.height; ++y) {
            build_window_row(l, testing_support::window_input_rows(l, fm, y).data(), windows.data());
            k.compute(windows.data(), l.out.width, out.data());
            for (int x = 0; x < l.out.width; ++x)
                for (int n = 0; n < 6; ++n) {
                    // Naive: every synapse times its subgroup's factor.
                    int64_t acc = 0;
                    for (int64_t s = 0; s < len; ++s)
                        acc += int64_t(p.weights[size_t(n) * size_t(len) + size_t(s)]) *
                               decode_value(windows[size_t(x) * size_t(len) + size_t(s)], l.in_encoding) *
                               p.scales[size_t(syq_group_of(l, s))];
                    EXPECT_EQ(out[size_t(x) * 6 + size_t(n)], acc) << "pixel " << y << "," << x << " channel " << n;
                    EXPECT_EQ(golden.at(y, x, n), acc);
                }
        }
    }
}

TEST(SyqScaling, GeneratorThresholdsSpreadTheScaledAccumulator) {
    // A 2-bit thresholds layer: every output code appears on random input.
    LayerConfig l = syq_layer(ScalingGranularity::Pixel, WeightQuant::Binary, Encoding::Unsigned, 2);
    l.activation = {ActivationType::Thresholds, 2};
    l.out_bits = 2;
    NetworkConfig net;
    net.input.shape = l.in;
    net.layers.push_back(l);
    const NetworkParams params = generate_params(net, 5, 0.0);
    FeatureMap fm(l.in);
    Rng rng(3);
    for (auto& v : fm.data) v = int32_t(rng.below(4));
    const FeatureMap out = golden::run_layer(l, params.layers[0], fm);
    std::vector<int> seen(4, 0);
    for (int32_t v : out.data) ++seen[size_t(v)];
    for (int code = 0; code < 4; ++code) EXPECT_GT(seen[size_t(code)], 0) << "code " << code;
}

}  // namespace syq_kernel_test
}  // namespace qsim
