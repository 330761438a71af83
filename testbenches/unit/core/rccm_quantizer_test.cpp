// Core tests of AddNet weight quantisation (ch. 6.5): select-index codebooks, the nearest
// scaled coefficient of eq. 6.3 with its tie rule, and coefficient-set selection by the
// KL divergence of eq. 6.2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <vector>

#include "models/common/rng.hpp"
#include "models/rccm/rccm_quantizer.hpp"

namespace qsim {
namespace rccm_quantizer_test {

// Brute force eq. 6.3 over the signed set: smallest |lambda c - w|, ties to smaller |c|, then c >= 0.
int64_t nearest(const std::vector<int64_t>& set, double lambda, double w) {
    int64_t best = set.front();
    for (int64_t c : set) {
        const double d = std::fabs(lambda * double(c) - w), db = std::fabs(lambda * double(best) - w);
        if (d < db || (d == db && (std::llabs(c) < std::llabs(best) || (std::llabs(c) == std::llabs(best) && c > best))))
            best = c;
    }
    return best;
}

TEST(RccmQuantizer, CodebookKeepsTheSmallestSelectOfEachCoefficient) {
    for (RccmKind kind : {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4}) {
        const RccmCodebook book = make_rccm_codebook(rccm_circuit(kind));
        EXPECT_EQ(book.select_bits, rccm_select_bits(kind));
        EXPECT_EQ(book.levels, rccm_coefficient_set(rccm_circuit(kind)));
        ASSERT_EQ(book.level_select.size(), book.levels.size());
        for (size_t i = 0; i < book.levels.size(); ++i) {
            EXPECT_EQ(rccm_decode(book, book.level_select[i]), book.levels[i]);
            for (uint32_t s = 0; s < book.level_select[i]; ++s) EXPECT_NE(book.by_select[s], book.levels[i]);
        }
    }
    // 2-Add: 0 comes from two codes, 0b0011 and 0b1011 (A = B1 = 4x, then B = +-(4x - y)).
    const RccmCodebook add2 = make_rccm_codebook(rccm_circuit(RccmKind::Add2));
    EXPECT_EQ(add2.by_select[3], 0);
    EXPECT_EQ(add2.by_select[11], 0);
    EXPECT_EQ(rccm_quantize(add2, 1.0, 0.0), 3u);
}

TEST(RccmQuantizer, PicksTheNearestScaledCoefficient) {
    for (RccmKind kind : {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4}) {
        const RccmCodebook book = make_rccm_codebook(rccm_circuit(kind));
        for (double lambda : {1.0, 0.01, 0.37}) {
            const double top = lambda * double(book.levels.back());
            for (int i = -1500; i <= 1500; ++i) {
                const double w = top * 1.2 * i / 1500.0;
                const int64_t got = rccm_decode(book, rccm_quantize(book, lambda, w));
                ASSERT_EQ(got, nearest(book.levels, lambda, w)) << rccm_name(kind) << " lambda " << lambda << " w " << w;
            }
        }
    }
}

TEST(RccmQuantizer, TiesGoToTheSmallerMagnitude) {
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(RccmKind::Add2));  // 0 1 2 8 28 36 44 92
    auto q = [&](double w) { return rccm_decode(book, rccm_quantize(book, 1.0, w)); };
    EXPECT_EQ(q(0.5), 0);    // halfway 0..1
    EXPECT_EQ(q(-0.5), 0);
    EXPECT_EQ(q(5.0), 2);    // halfway 2..8
    EXPECT_EQ(q(-5.0), -2);
    EXPECT_EQ(q(18.0), 8);   // halfway 8..28
    EXPECT_EQ(q(18.001), 28);
    EXPECT_EQ(q(64.0), 44);  // halfway 44..92
    EXPECT_EQ(q(1e6), 92);   // beyond the range: the extreme coefficient
    EXPECT_EQ(q(-1e6), -92);
    // A symmetric set without 0 ({-3, -1, 1, 3}: topology B alone, A1 = 2x, A2 = 4x, B1 = x):
    // w = 0 is halfway between -1 and +1 and goes to +1.
    RccmCircuit b_only;
    b_only.stages.resize(1);
    b_only.stages[0].topology = RccmTopology::B;
    b_only.stages[0].phi = {1, 2, 0, 0};
    const RccmCodebook odd = make_rccm_codebook(b_only);
    ASSERT_EQ(odd.levels, (std::vector<int64_t>{-3, -1, 1, 3}));
    EXPECT_EQ(rccm_decode(odd, rccm_quantize(odd, 1.0, 0.0)), 1);
    EXPECT_EQ(rccm_decode(odd, rccm_quantize(odd, 1.0, -0.0)), 1);
}

// eq. 6.3 on |w| with the sign restored gives the same as the signed nearest coefficient.
TEST(RccmQuantizer, SignSymmetric) {
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(RccmKind::Add3));
    Rng rng(17);
    for (int i = 0; i < 2000; ++i) {
        const double w = (rng.uniform() - 0.5) * 3.0;
        const int64_t pos = rccm_decode(book, rccm_quantize(book, 0.01, std::fabs(w)));
        const int64_t got = rccm_decode(book, rccm_quantize(book, 0.01, w));
        EXPECT_EQ(got, w < 0 ? -pos : pos);
    }
}

TEST(RccmQuantizer, LayerScaleAndSelectCodes) {
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(RccmKind::Add2));
    const double lambda = rccm_scale_for_range(book, 0.46);
    EXPECT_DOUBLE_EQ(lambda, 0.46 / 92.0);
    const std::vector<float> w = {0.46f, -0.46f, 0.0f, 0.04f, -0.15f, 0.21f};
    const std::vector<uint8_t> codes = rccm_quantize_weights(book, lambda, w);
    ASSERT_EQ(codes.size(), w.size());
    const int64_t expected[] = {92, -92, 0, 8, -28, 44};
    for (size_t i = 0; i < w.size(); ++i) {
        EXPECT_LT(codes[i], 16u);
        EXPECT_EQ(rccm_decode(book, codes[i]), expected[i]) << "weight " << w[i];
    }
}

TEST(RccmQuantizer, BadInputsAreRejected) {
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(RccmKind::Add2));
    EXPECT_THROW(rccm_quantize(book, 1.0, std::nan("")), std::invalid_argument);
    EXPECT_THROW(rccm_quantize(book, 1.0, std::numeric_limits<double>::infinity()), std::invalid_argument);
    EXPECT_THROW(rccm_quantize(book, 0.0, 1.0), std::invalid_argument);
    EXPECT_THROW(rccm_quantize(book, -1.0, 1.0), std::invalid_argument);
    EXPECT_THROW(rccm_decode(book, 16), std::invalid_argument);
    EXPECT_THROW(rccm_scale_for_range(book, 0.0), std::invalid_argument);
    EXPECT_THROW(rccm_quantize_weights(book, 1.0, {0.0f, std::nanf("")}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------
std::vector<int64_t> range_set(int lo, int hi, int step = 1) {
    std::vector<int64_t> s;
    for (int v = lo; v <= hi; v += step) s.push_back(v);
    return s;
}

TEST(RccmDistribution, HistogramAndDivergence) {
    const std::vector<double> h = rccm_histogram({0.0, 1.0, -1.0, 5.0, -7.0}, 1.0, 31);
    ASSERT_EQ(h.size(), 31u);
    EXPECT_DOUBLE_EQ(h[15], 0.2);  // 0 is the middle bin
    EXPECT_DOUBLE_EQ(h[30], 0.4);  // 1 and 5 (clamped)
    EXPECT_DOUBLE_EQ(h[0], 0.4);   // -1 and -7 (clamped)
    EXPECT_NEAR(rccm_kl_divergence(h, h, 0.0), 0.0, 1e-12);
    EXPECT_GT(rccm_kl_divergence(h, rccm_histogram({0.0}, 1.0, 31), 1e-6), 1.0);
    EXPECT_THROW(rccm_histogram({}, 0.0, 31), std::invalid_argument);
    EXPECT_THROW(rccm_kl_divergence(h, std::vector<double>(30, 0.0), 1e-6), std::invalid_argument);
}

TEST(RccmDistribution, UniformWeightsPickTheUniformSet) {
    Rng rng(5);
    std::vector<float> w(20000);
    for (float& v : w) v = float(rng.uniform() * 2.0 - 1.0);
    const std::vector<std::vector<int64_t>> candidates = {
        {-64, -32, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 32, 64},  // powers of two
        range_set(-15, 15),                                          // uniform
        rccm_coefficient_set(rccm_circuit(RccmKind::Add2)),          // Table 6.2, 2-Add
    };
    const std::vector<RccmRankedSet> ranked = rccm_rank_sets(w, candidates);
    EXPECT_EQ(ranked.front().index, 1u);
    EXPECT_LT(ranked.front().divergence, 0.01);
    EXPECT_EQ(rccm_select_set(w, candidates, 1), 1u);
}

TEST(RccmDistribution, WeightsDrawnFromASetPickThatSet) {
    const std::vector<int64_t> powers = {-64, -32, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 32, 64};
    Rng rng(9);
    std::vector<float> w(20000);
    for (float& v : w) {
        const int64_t c = powers[rng.below(uint32_t(powers.size()))];
        v = float(0.01 * double(c));
    }
    w[0] = 0.64f;  // the range is the largest coefficient's
    const std::vector<std::vector<int64_t>> candidates = {
        range_set(-15, 15), powers, rccm_coefficient_set(rccm_circuit(RccmKind::Add3))};
    const std::vector<RccmRankedSet> ranked = rccm_rank_sets(w, candidates);
    EXPECT_EQ(ranked.front().index, 1u);
    EXPECT_LT(ranked.front().divergence, 0.01);
}

// ch. 6.5.1: of the top-k sets by divergence, those with zero, then the most coefficients.
TEST(RccmDistribution, SelectionPrefersLargerSetsWithZeroAmongTheTopK) {
    // Weights on a 15-point lattice {-7..7} / 7.
    std::vector<float> w;
    for (int rep = 0; rep < 100; ++rep)
        for (int k = -7; k <= 7; ++k) w.push_back(float(k) / 7.0f);
    const std::vector<int64_t> exact = range_set(-7, 7);      // matches the lattice: D_KL ~ 0
    const std::vector<int64_t> wide = range_set(-15, 15);     // 31 coefficients, with 0
    std::vector<int64_t> no_zero = range_set(-16, 16);        // 32 coefficients, without 0
    no_zero.erase(no_zero.begin() + 16);
    const std::vector<int64_t> sparse = {-15, 0, 15};
    const std::vector<std::vector<int64_t>> candidates = {sparse, no_zero, wide, exact};

    const std::vector<RccmRankedSet> ranked = rccm_rank_sets(w, candidates);
    ASSERT_EQ(ranked.size(), 4u);
    EXPECT_EQ(ranked[0].index, 3u);  // exact
    EXPECT_EQ(ranked[1].index, 2u);  // wide
    EXPECT_EQ(ranked[2].index, 1u);  // no_zero
    EXPECT_EQ(ranked[3].index, 0u);  // sparse
    EXPECT_EQ(rccm_select_set(w, candidates, 1), 3u);  // the best match alone
    EXPECT_EQ(rccm_select_set(w, candidates, 2), 2u);  // more coefficients
    EXPECT_EQ(rccm_select_set(w, candidates, 3), 2u);  // no_zero is larger but has no 0
    EXPECT_THROW(rccm_select_set(w, {}, 5), std::invalid_argument);
    EXPECT_THROW(rccm_select_set(w, candidates, 0), std::invalid_argument);
}

}  // namespace rccm_quantizer_test
}  // namespace qsim
