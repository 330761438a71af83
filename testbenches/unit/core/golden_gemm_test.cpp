// Tests of the golden reference's im2col and matrix product (golden_gemm.hpp) against plain
// nested loops over the output positions, on shapes that cross its blocks and chunks (fan-in
// above one weight block and not a multiple of 16, more positions than one chunk, odd rows per
// group), in its narrow (int16/int32) and wide (int64) forms; and of run_layer with a
// LayerPlan kept across frames against run_layer without one.
#include "sim/golden/golden_gemm.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "sim/golden/golden_reference.hpp"

namespace qsim::golden {
namespace golden_gemm_test {

struct Case {
    int in_h, in_w, in_c, out_c, kernel, stride, pad_begin, pad_end, groups;
};

LayerConfig conv_layer(const Case& c) {
    LayerConfig l;
    l.name = "c";
    l.type = LayerType::Conv;
    l.kernel = c.kernel;
    l.stride = c.stride;
    l.pad_begin = c.pad_begin;
    l.pad_end = c.pad_end;
    l.groups = c.groups;
    l.filters = c.out_c;
    l.in = FmShape{c.in_h, c.in_w, c.in_c};
    l.out = FmShape{(c.in_h + c.pad_begin + c.pad_end - c.kernel) / c.stride + 1,
                    (c.in_w + c.pad_begin + c.pad_end - c.kernel) / c.stride + 1, c.out_c};
    l.in_encoding = Encoding::Accumulator;
    l.in_bits = 32;
    l.weights.quant = WeightQuant::Uniform;
    l.weights.bits = 8;
    l.activation.type = ActivationType::None;
    l.activation.bits = 32;
    l.out_encoding = Encoding::Accumulator;
    l.out_bits = 32;
    return l;
}

// The contract's nested loops, in int64.
std::vector<int64_t> plain_conv(const LayerConfig& l, const std::vector<int64_t>& w, const std::vector<int32_t>& v,
                                int32_t pad) {
    const int cg = l.in.channels / l.groups, ng = l.out.channels / l.groups;
    const int64_t fan_in = int64_t(l.kernel) * l.kernel * cg;
    std::vector<int64_t> out;
    for (int oy = 0; oy < l.out.height; ++oy)
        for (int ox = 0; ox < l.out.width; ++ox)
            for (int n = 0; n < l.out.channels; ++n) {
                int64_t sum = 0;
                for (int ky = 0; ky < l.kernel; ++ky)
                    for (int kx = 0; kx < l.kernel; ++kx)
                        for (int c = 0; c < cg; ++c) {
                            const int iy = oy * l.stride - l.pad_begin + ky, ix = ox * l.stride - l.pad_begin + kx;
                            const bool inside = iy >= 0 && iy < l.in.height && ix >= 0 && ix < l.in.width;
                            const int64_t x =
                                inside ? v[size_t((int64_t(iy) * l.in.width + ix) * l.in.channels + (n / ng) * cg + c)]
                                       : pad;
                            sum += w[size_t(n * fan_in + (ky * l.kernel + kx) * cg + c)] * x;
                        }
                out.push_back(sum);
            }
    return out;
}

std::vector<int64_t> random_weights(size_t n, int64_t limit, std::mt19937& rng) {
    std::uniform_int_distribution<int64_t> d(-limit, limit);
    std::vector<int64_t> w(n);
    for (auto& x : w) x = d(rng);
    return w;
}

std::vector<int32_t> random_values(size_t n, int32_t lo, int32_t hi, std::mt19937& rng) {
    std::uniform_int_distribution<int32_t> d(lo, hi);
    std::vector<int32_t> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

const Case kCases[] = {
    {7, 9, 3, 5, 3, 1, 1, 1, 1},       // fan-in 27, odd rows
    {20, 21, 100, 6, 3, 1, 1, 1, 1},   // fan-in 900 (two blocks, not a multiple of 16), 420 positions
    {9, 8, 12, 9, 3, 2, 0, 1, 3},      // stride 2, asymmetric padding, 3 rows per group
    {6, 6, 8, 8, 1, 1, 0, 0, 8},       // depthwise
    {40, 40, 4, 3, 2, 2, 0, 0, 1},     // 400 positions in a few chunks of short columns
    {5, 5, 600, 2, 3, 1, 1, 1, 2},     // fan-in 2700 per group
};

TEST(GoldenGemm, ConvMatchesNestedLoopsNarrowAndWide) {
    std::mt19937 rng(7);
    for (const Case& c : kCases) {
        const LayerConfig l = conv_layer(c);
        const int64_t fan_in = int64_t(c.kernel) * c.kernel * (c.in_c / c.groups);
        const size_t in_n = size_t(c.in_h) * c.in_w * c.in_c;
        struct Form {
            int64_t weight_limit;
            int32_t lo, hi, pad;
        };
        // int16 weights and small values (narrow); int16 weights and values beyond int16 or a
        // row sum beyond int32 (wide from int16 rows); weights beyond int16 (wide).
        for (const Form f : {Form{127, 0, 7, 0}, Form{1, -1, 1, -1}, Form{300, -40000, 40000, 3},
                             Form{32767, -30000, 30000, 0}, Form{100000, -5, 5, 1}}) {
            const std::vector<int64_t> w = random_weights(size_t(c.out_c * fan_in), f.weight_limit, rng);
            const std::vector<int32_t> v = random_values(in_n, f.lo, f.hi, rng);
            EXPECT_EQ(conv_accumulators(l, w, v, f.pad), plain_conv(l, w, v, f.pad))
                << "case " << c.in_h << "x" << c.in_w << "x" << c.in_c << " -> " << c.out_c << ", weights up to "
                << f.weight_limit << ", values " << f.lo << ".." << f.hi;
        }
    }
}

TEST(GoldenGemm, FcMatchesNestedLoops) {
    std::mt19937 rng(11);
    for (const int64_t rows : {1, 2, 7, 64})
        for (const int64_t len : {1, 15, 513, 1500})
            for (const int64_t limit : {int64_t(127), int64_t(70000)}) {
                const std::vector<int64_t> w = random_weights(size_t(rows * len), limit, rng);
                const std::vector<int32_t> v = random_values(size_t(len), -100, 100, rng);
                std::vector<int64_t> want(size_t(rows), 0);
                for (int64_t n = 0; n < rows; ++n)
                    for (int64_t s = 0; s < len; ++s) want[size_t(n)] += w[size_t(n * len + s)] * v[size_t(s)];
                EXPECT_EQ(fc_accumulators(w, rows, v), want) << rows << " x " << len << ", weights up to " << limit;
            }
}

TEST(GoldenGemm, WeightMatrixNarrowOnlyWhenSumsFitInt32) {
    // Two rows: |weights| summing to 300 and 1000.
    const WeightMatrix m(std::vector<int64_t>{100, -100, 100, 500, -500, 0}, 2);
    EXPECT_TRUE(m.stored_narrow());
    EXPECT_TRUE(m.narrow_for(0));
    EXPECT_TRUE(m.narrow_for(32767));
    EXPECT_FALSE(m.narrow_for(32768));
    const WeightMatrix big(std::vector<int64_t>{32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767}, 1);
    EXPECT_TRUE(big.narrow_for(8191));   // 8 * 32767 * 8191 < 2^31
    EXPECT_FALSE(big.narrow_for(8193));  // 8 * 32767 * 8193 > 2^31 - 1
    EXPECT_FALSE(WeightMatrix(std::vector<int64_t>{32768, 0}, 1).stored_narrow());
}

TEST(GoldenGemm, PlanKeptAcrossFramesGivesTheSameOutputs) {
    std::mt19937 rng(3);
    LayerConfig l = conv_layer(Case{10, 10, 40, 7, 3, 1, 1, 1, 1});
    l.activation.type = ActivationType::Thresholds;
    l.activation.bits = 2;
    l.out_encoding = Encoding::Unsigned;
    l.out_bits = 2;
    LayerParams p;
    for (int64_t w : random_weights(size_t(7 * 9 * 40), 3, rng)) p.weights.push_back(int8_t(w));
    for (int n = 0; n < 7; ++n)
        for (int32_t t : {-200, 0, 150}) p.thresholds.push_back(t + n);
    LayerPlan plan;
    for (int frame = 0; frame < 3; ++frame) {
        FeatureMap in(l.in);
        // The last frame's values need the wide form of the plan's int16 weights.
        in.data = frame < 2 ? random_values(in.data.size(), -20, 20, rng) : random_values(in.data.size(), -60000, 60000, rng);
        if (frame == 2) {
            l.activation.type = ActivationType::None;
            l.out_encoding = Encoding::Accumulator;
            l.out_bits = 32;
            l.activation.bits = 32;
        }
        EXPECT_EQ(run_layer(l, p, in, &plan).data, run_layer(l, p, in).data) << "frame " << frame;
        EXPECT_TRUE(plan.weights.has_value());
    }
}

}  // namespace golden_gemm_test
}  // namespace qsim::golden
