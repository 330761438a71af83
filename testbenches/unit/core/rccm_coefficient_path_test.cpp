// The AddNet datapath's coefficient path (select indices decoded to coefficients, AVX2 integer
// dot products) against its portable path (products out of the circuit's truth table or its
// adders, allow_simd_kernels(false)): random select indices and inputs, biased to the extremes,
// odd fan-ins and channel counts, every circuit and input encoding, dot, dots and accumulator.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/common/rng.hpp"
#include "models/mvtu/weight_memory.hpp"
#include "models/rccm/rccm_datapath.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace rccm_coefficient_path_test {

struct EncodingCase {
    Encoding e;
    int bits;
};

// A code of the encoding, a third of the time one of its two extremes.
int32_t random_code(Rng& rng, Encoding e, int bits) {
    int32_t lo = 0, hi = (1 << bits) - 1;
    if (e == Encoding::Bipolar) hi = 1;
    if (e == Encoding::Signed) lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
    switch (rng.below(6)) {
        case 0: return lo;
        case 1: return hi;
        default: return lo + int32_t(rng.below(uint32_t(hi - lo + 1)));
    }
}

TEST(RccmCoefficientPath, VectorAndPortablePathsAgree) {
    Rng rng(2023);
    for (RccmKind kind : {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4}) {
        const int codes = 1 << rccm_select_bits(kind);
        for (EncodingCase ec : {EncodingCase{Encoding::Unsigned, 8}, EncodingCase{Encoding::Signed, 8},
                                EncodingCase{Encoding::Bipolar, 1}, EncodingCase{Encoding::Unsigned, 2},
                                EncodingCase{Encoding::Signed, 16}, EncodingCase{Encoding::Unsigned, 16},
                                EncodingCase{Encoding::Signed, 12}}) {
            // 9217 at 8 bits: past the int32 bound of the int8 rows (2-Add: 92 x 255 x 9217 > 2^31);
            // 16-bit inputs widen their int32 lanes every few hundred products.
            for (int fan_in : {1, 15, 17, 33, 131, 1000, 9217}) {
                const int n = fan_in > 1000 ? 7 : 11;
                const int simd = fan_in % 2 == 0 ? 2 : 1;
                LayerConfig l = testing_support::rccm_fc_layer(fan_in, n, kind, ec.e, ec.bits, n > 7 ? 1 : 7, simd,
                                                               {ActivationType::None, 32});
                LayerParams p;
                // Each layer leans on a few codes (the largest coefficients among them) as trained ones do.
                for (size_t i = 0; i < size_t(fan_in) * n; ++i)
                    p.selects.push_back(uint8_t(rng.below(2) ? rng.below(uint32_t(codes)) : codes - 1 - rng.below(3)));
                const WeightMemory mem(l, rccm_memory_image(p));
                for (int dots_per_input : {1, 1000}) {
                    RccmDatapath fast(mem, kind, ec.e, ec.bits, 211, dots_per_input);
                    allow_simd_kernels(false);
                    RccmDatapath portable(mem, kind, ec.e, ec.bits, 211, dots_per_input);
                    allow_simd_kernels(true);
                    for (int trial = 0; trial < 2; ++trial) {
                        std::vector<int32_t> x(static_cast<size_t>(fan_in));
                        for (auto& v : x) v = random_code(rng, ec.e, ec.bits);
                        if (trial == 1)  // every input at the same extreme: the largest sums
                            for (auto& v : x) v = ec.e == Encoding::Signed ? -(1 << (ec.bits - 1)) : (1 << ec.bits) - 1;
                        fast.load_input(x.data());
                        portable.load_input(x.data());
                        std::vector<int64_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
                        fast.dots(0, n, a.data());
                        portable.dots(0, n, b.data());
                        ASSERT_EQ(a, b) << rccm_name(kind) << " " << to_string(ec.e) << ec.bits << " fan-in " << fan_in;
                        for (int c : {n - 1, 0, 3}) {
                            ASSERT_EQ(fast.accumulator(c), portable.accumulator(c)) << rccm_name(kind) << " " << c;
                            ASSERT_EQ(fast.dot(c), b[size_t(c)]);
                        }
                        fast.dots(1, n - 2, a.data());
                        for (int c = 1; c + 1 < n; ++c) ASSERT_EQ(a[size_t(c - 1)], b[size_t(c)]) << "channels 1..";
                    }
                }
            }
        }
    }
}

}  // namespace rccm_coefficient_path_test
}  // namespace qsim
