// Core tests of the AddNet PE datapath (ch. 6.6.2): RCCM products of select indices read out of
// the PE weight memories, accumulated and scaled by lambda_l, against a naive reference that
// multiplies by the decoded coefficient, and whole RCCM layers through the MVTU kernel against
// the golden reference.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/rng.hpp"
#include "models/mvtu/mvtu_kernel.hpp"
#include "models/mvtu/weight_memory.hpp"
#include "models/rccm/rccm_datapath.hpp"
#include "models/rccm/rccm_quantizer.hpp"
#include "models/swu/window_kernel.hpp"
#include "sim/golden/golden_reference.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace rccm_datapath_test {

const RccmKind kKinds[] = {RccmKind::Add2, RccmKind::Add3, RccmKind::Add4};

LayerConfig rccm_fc(int fan_in, int n, RccmKind kind, Encoding in, int in_bits, int pe, int simd,
                    ActivationConfig act = {ActivationType::None, 32}) {
    return testing_support::rccm_fc_layer(fan_in, n, kind, in, in_bits, pe, simd, act);
}

// The extreme values of an encoding and a few in between, as codes.
std::vector<int32_t> extreme_codes(Encoding e, int bits) {
    if (e == Encoding::Bipolar) return {0, 1};
    if (e == Encoding::Signed) {
        const int32_t lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
        return {lo, lo + 1, -1, 0, 1, hi - 1, hi};
    }
    const int32_t hi = (1 << bits) - 1;
    return {0, 1, hi / 2, hi - 1, hi};
}

struct EncodingCase {
    Encoding e;
    int bits;
};

// Every select code of every circuit, with every extreme input: channel n's synapse s holds code
// (s + 7 n) mod 2^b and input s cycles through the extreme values, so each (code, input) pair
// occurs; both evaluation paths (tabulated, direct) and several lambda_l.
TEST(RccmDatapath, EverySelectCodeAndExtremeInputMatchesTheDecodedCoefficient) {
    for (RccmKind kind : kKinds) {
        const RccmCodebook book = make_rccm_codebook(rccm_circuit(kind));
        const int codes = int(book.by_select.size());
        for (EncodingCase ec : {EncodingCase{Encoding::Unsigned, 8}, EncodingCase{Encoding::Signed, 8},
                                EncodingCase{Encoding::Bipolar, 1}, EncodingCase{Encoding::Unsigned, 16},
                                EncodingCase{Encoding::Signed, 16}, EncodingCase{Encoding::Unsigned, 1}}) {
            const std::vector<int32_t> values = extreme_codes(ec.e, ec.bits);
            const int fan_in = codes * int(values.size());
            const int n = 6;
            LayerConfig l = rccm_fc(fan_in, n, kind, ec.e, ec.bits, 3, int(values.size()));
            LayerParams p;
            p.selects.resize(size_t(fan_in) * n);
            for (int c = 0; c < n; ++c)
                for (int s = 0; s < fan_in; ++s) p.selects[size_t(c) * fan_in + s] = uint8_t((s + 7 * c) % codes);
            std::vector<int32_t> x(static_cast<size_t>(fan_in));
            for (int s = 0; s < fan_in; ++s) x[size_t(s)] = values[size_t(s / codes) % values.size()];
            const WeightMemory mem(l, rccm_memory_image(p));
            for (int32_t lambda : {1, 37, 255}) {
                for (int dots : {1, 1000}) {  // 16-bit inputs: direct and per-input tables
                    RccmDatapath dp(mem, kind, ec.e, ec.bits, lambda, dots);
                    dp.load_input(x.data());
                    for (int c = 0; c < n; ++c) {
                        int64_t naive = 0;
                        for (int s = 0; s < fan_in; ++s) {
                            ASSERT_EQ(dp.select(c, s), p.selects[size_t(c) * fan_in + s]);
                            naive += rccm_decode(book, p.selects[size_t(c) * fan_in + s]) *
                                     int64_t(decode_value(x[size_t(s)], ec.e));
                        }
                        ASSERT_EQ(dp.accumulator(c), naive) << rccm_name(kind) << " " << to_string(ec.e) << ec.bits;
                        ASSERT_EQ(dp.dot(c), lambda * naive) << rccm_name(kind) << " lambda " << lambda;
                    }
                }
            }
        }
    }
}

TEST(RccmDatapath, SingleProductsOfEveryCodeAtTheInputExtremes) {
    // fan_in 1: the accumulator is one product, coefficient(s) * x, for s and x at every extreme.
    for (RccmKind kind : kKinds) {
        const RccmCodebook book = make_rccm_codebook(rccm_circuit(kind));
        const int codes = int(book.by_select.size());
        LayerConfig l = rccm_fc(1, codes, kind, Encoding::Signed, 16, 1, 1);
        LayerParams p;
        for (int c = 0; c < codes; ++c) p.selects.push_back(uint8_t(c));
        const WeightMemory mem(l, rccm_memory_image(p));
        RccmDatapath dp(mem, kind, Encoding::Signed, 16, 255, 1);
        for (int32_t x : {-32768, -1, 0, 1, 32767}) {
            dp.load_input(&x);
            for (int c = 0; c < codes; ++c) ASSERT_EQ(dp.dot(c), 255 * book.by_select[size_t(c)] * x) << c << " " << x;
        }
    }
}

TEST(RccmDatapath, RejectsMismatchedMemoriesScalesAndInputs) {
    LayerConfig l = rccm_fc(4, 2, RccmKind::Add2, Encoding::Unsigned, 8, 1, 1);
    LayerParams p;
    p.selects.assign(8, 3);
    const WeightMemory mem(l, rccm_memory_image(p));
    EXPECT_THROW(RccmDatapath(mem, RccmKind::Add3, Encoding::Unsigned, 8, 1, 1), std::invalid_argument);  // 4-bit fields
    EXPECT_THROW(RccmDatapath(mem, RccmKind::Add2, Encoding::Unsigned, 8, 0, 1), std::invalid_argument);
    EXPECT_THROW(RccmDatapath(mem, RccmKind::Add2, Encoding::Unsigned, 8, 256, 1), std::invalid_argument);
    EXPECT_THROW(RccmDatapath(mem, RccmKind::Add2, Encoding::Accumulator, 32, 1, 1), std::invalid_argument);
    EXPECT_THROW(RccmDatapath(mem, RccmKind::Add2, Encoding::Unsigned, 17, 1, 1), std::invalid_argument);
    for (int bits : {8, 16}) {
        RccmDatapath dp(mem, RccmKind::Add2, Encoding::Unsigned, bits, 1, 1);
        const std::vector<int32_t> wide(4, 1 << bits);  // a code outside the encoding
        EXPECT_THROW(dp.load_input(wide.data()), std::out_of_range);
        const std::vector<int32_t> negative(4, -1);
        EXPECT_THROW(dp.load_input(negative.data()), std::out_of_range);
    }
}

// A whole RCCM conv layer (grouped, padded, folded) through the MVTU kernel against the golden
// reference, for every circuit: raw outputs (lambda x acc) and 2-bit thresholds on them.
TEST(RccmDatapath, ConvLayerThroughTheMvtuKernelMatchesTheGoldenReference) {
    for (RccmKind kind : kKinds) {
        for (ActivationType act : {ActivationType::None, ActivationType::Thresholds}) {
            NetworkConfig net = testing_support::NetBuilder(7, 7, 8)
                                    .conv("c", 3, 12, WeightQuant::Rccm, rccm_select_bits(kind), act,
                                          act == ActivationType::None ? 32 : 2, 1, 2)
                                    .build();
            LayerConfig& l = net.layers[0];
            l.weights.rccm = kind;
            l.folding = {3, 2, 1};
            const int codes = 1 << rccm_select_bits(kind);
            Rng rng(uint64_t(codes) + uint64_t(act));
            LayerParams p;
            p.layer = "c";
            p.lambda = 37;
            for (int i = 0; i < 12 * 3 * 3 * 4; ++i) p.selects.push_back(uint8_t(rng.below(uint32_t(codes))));
            if (act == ActivationType::Thresholds)
                for (int n = 0; n < 12; ++n)
                    for (int32_t t : {-40000 * (n + 1), 0, 30000 * (n + 1)}) p.thresholds.push_back(t);
            FeatureMap in(l.in);
            for (auto& v : in.data) v = int32_t(rng.below(256));
            const FeatureMap want = golden::run_layer(l, p, in);
            MvtuKernel k(l, p);
            FeatureMap got(l.out);
            std::vector<int32_t> windows(size_t(l.out.width) * k.window_length());
            for (int oy = 0; oy < l.out.height; ++oy) {
                const std::vector<const int32_t*> rows = testing_support::window_input_rows(l, in, oy);
                build_window_row(l, rows.data(), windows.data());
                k.compute(windows.data(), l.out.width, &got.data[size_t(oy) * l.out.width * l.out.channels]);
            }
            EXPECT_EQ(got.data, want.data) << rccm_name(kind) << " " << to_string(act);
            if (act == ActivationType::None) {
                for (int32_t v : got.data) ASSERT_EQ(v % 37, 0) << "lambda_l multiplies every output";
            }
        }
    }
}

}  // namespace rccm_datapath_test
}  // namespace qsim
