// Core tests of the RCCM circuits (ch. 6.4, Tables 6.2 and 6.3): the coefficient sets the
// 2-Add, 3-Add and 4-Add circuits produce, and their products for every select code and
// every 8-bit input, computed through the adders and shifts.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "models/common/rng.hpp"
#include "models/rccm/rccm_topology.hpp"

namespace qsim {
namespace rccm_topology_test {

// Table 6.2: the non-negative half of each set; the sets are these values and their negatives.
const std::vector<int64_t> kTable62Add2 = {0, 1, 2, 8, 28, 36, 44, 92};
const std::vector<int64_t> kTable62Add3 = {0,  1,  2,  3,  4,  5,  6,  7,  9,   10,  12,  13,  14,  16,  23,
                                           29, 30, 32, 63, 69, 70, 72, 87, 93, 94, 96, 119, 125, 126, 128};
const std::vector<int64_t> kTable62Add4 = {
    0,   1,   2,   4,   5,   7,   8,   9,   11,  13,  14,  15,  16,  18,  19,  20,  21,  22,  23,  24,  25,
    26,  27,  28,  29,  30,  31,  32,  33,  34,  36,  37,  38,  39,  40,  46,  48,  54,  58,  64,  69,  70,
    71,  74,  75,  76,  78,  80,  81,  82,  84,  85,  87,  94,  96,  102, 114, 118, 126, 134, 142, 150, 166,
    174, 182, 190, 194, 198, 206, 214, 222, 230, 238, 246, 258, 262, 270, 278, 286, 302, 310, 318, 326, 334,
    382, 398, 446, 450, 526, 566, 574, 582, 614, 622, 654, 662, 670, 686, 694, 710, 766, 782, 830, 1214};

std::vector<int64_t> symmetric(const std::vector<int64_t>& half) {
    std::vector<int64_t> out;
    for (auto it = half.rbegin(); it != half.rend(); ++it)
        if (*it != 0) out.push_back(-*it);
    for (int64_t v : half) out.push_back(v);
    return out;
}

struct Case {
    RccmKind kind;
    int select_bits;
    size_t coefficients;  // "#coeff" of Table 6.2
    const std::vector<int64_t>* half;
};

const Case kCases[] = {{RccmKind::Add2, 4, 15, &kTable62Add2},
                       {RccmKind::Add3, 6, 59, &kTable62Add3},
                       {RccmKind::Add4, 8, 207, &kTable62Add4}};

TEST(RccmTopology, CoefficientSetsEqualTable62) {
    for (const Case& c : kCases) {
        SCOPED_TRACE(rccm_name(c.kind));
        const std::vector<int64_t> expected = symmetric(*c.half);
        ASSERT_EQ(expected.size(), c.coefficients);
        const std::vector<int64_t> got = rccm_coefficient_set(rccm_circuit(c.kind));
        ASSERT_EQ(got.size(), expected.size());
        for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "coefficient " << i;
    }
}

TEST(RccmTopology, SelectWidthsAre468) {
    for (const Case& c : kCases) {
        EXPECT_EQ(rccm_select_bits(c.kind), c.select_bits) << rccm_name(c.kind);
        EXPECT_EQ(rccm_coefficients_by_select(rccm_circuit(c.kind)).size(), size_t(1) << c.select_bits);
    }
}

// Every select code of each circuit with every 8-bit input, signed and unsigned: the
// product the adders compute equals coefficient * x, so the circuit is linear in x.
TEST(RccmTopology, ProductIsCoefficientTimesXForEvery8BitInput) {
    for (const Case& c : kCases) {
        SCOPED_TRACE(rccm_name(c.kind));
        const RccmCircuit circuit = rccm_circuit(c.kind);
        const std::vector<int64_t> coeff = rccm_coefficients_by_select(circuit);
        for (uint32_t s = 0; s < coeff.size(); ++s) {
            for (int32_t x = -128; x <= 255; ++x)
                ASSERT_EQ(rccm_multiply(circuit, s, x), coeff[s] * x) << "select " << s << " x " << x;
        }
    }
}

TEST(RccmTopology, ExtremeInputsOfOtherWidths) {
    Rng rng(0x6b2);
    for (const Case& c : kCases) {
        const RccmCircuit circuit = rccm_circuit(c.kind);
        const std::vector<int64_t> coeff = rccm_coefficients_by_select(circuit);
        for (uint32_t s = 0; s < coeff.size(); ++s) {
            for (int32_t x : {INT32_MIN, INT32_MIN + 1, -32768, -1, 0, 1, 32767, 65535, INT32_MAX})
                ASSERT_EQ(rccm_multiply(circuit, s, x), coeff[s] * x) << rccm_name(c.kind) << " select " << s;
            for (int i = 0; i < 16; ++i) {
                const int32_t x = int32_t(uint32_t(rng.next()));
                ASSERT_EQ(rccm_multiply(circuit, s, x), coeff[s] * x);
            }
        }
    }
}

TEST(RccmTopology, SetsAreSymmetricAroundZero) {
    // Topology B at the output: A_p - B1 = -(-A_p + B1) (ch. 6.4.3).
    for (const Case& c : kCases) {
        const std::vector<int64_t> set = rccm_coefficient_set(rccm_circuit(c.kind));
        for (size_t i = 0; i < set.size(); ++i) EXPECT_EQ(set[i], -set[set.size() - 1 - i]) << rccm_name(c.kind);
    }
}

TEST(RccmTopology, StageOperationsFollowTheMappingFunctions) {
    RccmStage a;
    a.topology = RccmTopology::A;
    a.phi = {0, 1, 2, 3};  // A1 = a, A2 = 2a, A3 = 4a, B1 = 8b
    const int64_t expected_last[] = {8, 7, 6, 4};  // B1, -A1+B1, -A2+B1, -A3+B1
    for (int op = 0; op < 4; ++op) {
        a.last_op = RccmLastOp(op);
        EXPECT_EQ(rccm_stage_output(a, 0, 1, 1), 9);
        EXPECT_EQ(rccm_stage_output(a, 1, 1, 1), 10);
        EXPECT_EQ(rccm_stage_output(a, 2, 1, 1), 12);
        EXPECT_EQ(rccm_stage_output(a, 3, 1, 1), expected_last[op]);
    }
    RccmStage b;
    b.topology = RccmTopology::B;
    b.phi = {1, 2, 0, 0};  // A1 = 2a, A2 = 4a, B1 = b
    EXPECT_EQ(rccm_stage_output(b, 0, 3, 5), 5 - 6);   // -A1 + B1
    EXPECT_EQ(rccm_stage_output(b, 1, 3, 5), 5 - 12);  // -A2 + B1
    EXPECT_EQ(rccm_stage_output(b, 2, 3, 5), 6 - 5);   //  A1 - B1
    EXPECT_EQ(rccm_stage_output(b, 3, 3, 5), 12 - 5);  //  A2 - B1
}

TEST(RccmTopology, SelectFieldsDriveStagesInOrder) {
    // 2-Add: bits [1:0] select topology A, bits [3:2] topology B. A = {5, 6, 12, 4} x,
    // B = {4x - y, 4x - 8y, y - 4x, 8y - 4x} for y the output of A.
    const RccmCircuit c = rccm_circuit(RccmKind::Add2);
    const int64_t y[] = {5, 6, 12, 4};
    for (uint32_t sa = 0; sa < 4; ++sa) {
        EXPECT_EQ(rccm_multiply(c, sa | (0u << 2), 1), 4 - y[sa]);
        EXPECT_EQ(rccm_multiply(c, sa | (1u << 2), 1), 4 - 8 * y[sa]);
        EXPECT_EQ(rccm_multiply(c, sa | (2u << 2), 1), y[sa] - 4);
        EXPECT_EQ(rccm_multiply(c, sa | (3u << 2), 1), 8 * y[sa] - 4);
    }
}

TEST(RccmTopology, ProductWidths) {
    // max |c| = 92, 128, 1214: 8-bit signed inputs need 15, 16, 19 bits; unsigned 16, 16, 20
    // (128 * 255 = 32640 still fits 16 bits).
    const int signed_bits[] = {15, 16, 19};
    const int unsigned_bits[] = {16, 16, 20};
    for (int i = 0; i < 3; ++i) {
        const RccmCircuit circuit = rccm_circuit(kCases[i].kind);
        EXPECT_EQ(rccm_product_bits(circuit, 8, true), signed_bits[i]) << rccm_name(kCases[i].kind);
        EXPECT_EQ(rccm_product_bits(circuit, 8, false), unsigned_bits[i]) << rccm_name(kCases[i].kind);
    }
    EXPECT_THROW(rccm_product_bits(rccm_circuit(RccmKind::Add2), 0, true), std::invalid_argument);
}

TEST(RccmTopology, InvalidCircuitsAreRejected) {
    RccmCircuit c = rccm_circuit(RccmKind::Add3);
    EXPECT_NO_THROW(validate_rccm_circuit(c));
    c.stages[1].a_source = 1;  // its own output
    EXPECT_THROW(validate_rccm_circuit(c), std::invalid_argument);
    c = rccm_circuit(RccmKind::Add3);
    c.stages[0].phi[2] = kRccmMaxShift + 1;
    EXPECT_THROW(validate_rccm_circuit(c), std::invalid_argument);
    c = rccm_circuit(RccmKind::Add3);
    c.stages[2].phi[3] = 1;  // topology B has three shifts
    EXPECT_THROW(validate_rccm_circuit(c), std::invalid_argument);
    EXPECT_THROW(validate_rccm_circuit(RccmCircuit{}), std::invalid_argument);
}

}  // namespace rccm_topology_test
}  // namespace qsim
