// The fast value path of the decompressor-fed PE array (SparseRowKernel) against the portable
// reference SparsePeKernel::accumulate: random ternary rows of odd fan-ins at sparsities 0, 0.5,
// 0.9 and 1, encoded run-length and Huffman and decoded by the decoder, each row in its dense
// (bit-mask) form, its sparse (address list) form and the cheaper of the two, for bipolar,
// unsigned and signed inputs of several widths, with and without the AVX2 plane split.
#include <gtest/gtest.h>

#include <vector>

#include "models/common/rng.hpp"
#include "models/decompressor/decompressor_kernel.hpp"
#include "models/decompressor/sparse_row_kernel.hpp"
#include "models/mvtu/pe_datapath_kernel.hpp"

namespace qsim {
namespace sparse_row_kernel_test {

struct Inputs {
    Encoding encoding;
    int bits;
};

// A layer whose SparsePeKernel only accumulates (no activation to configure).
LayerConfig layer_for(Encoding in, int bits, int channels) {
    LayerConfig l;
    l.name = "sparse";
    l.in_encoding = in;
    l.in_bits = bits;
    l.out.channels = channels;
    l.activation.type = ActivationType::None;
    return l;
}

std::vector<int8_t> random_rows(Rng& rng, int rows, int64_t fan_in, double sparsity) {
    std::vector<int8_t> w(size_t(rows) * size_t(fan_in));
    for (auto& v : w) v = rng.uniform() < sparsity ? 0 : (rng.below(2) ? 1 : -1);
    return w;
}

// Codes of `bits` in the encoding (bipolar: 0/1; signed: two's complement values).
std::vector<int32_t> random_codes(Rng& rng, int64_t n, Inputs in) {
    std::vector<int32_t> x(static_cast<size_t>(n));
    const uint32_t span = in.encoding == Encoding::Bipolar ? 2u : uint32_t(1) << in.bits;
    for (auto& v : x) {
        v = int32_t(rng.below(span));
        if (in.encoding == Encoding::Signed) v -= int32_t(span / 2);
    }
    return x;
}

void check(Inputs in, WeightEncoding enc, double sparsity, int64_t fan_in, int pes, uint64_t seed) {
    Rng rng(seed);
    const int channels = 7;
    const int delta_bits = 1 + int(rng.below(6));
    const std::vector<int8_t> w = random_rows(rng, channels, fan_in, sparsity);
    const EncodedWeights stream = encode_ternary(w.data(), channels, fan_in, enc, delta_bits);
    const std::vector<DecodedRow> rows = run_decoder(stream, 0, 1);
    const LayerConfig l = layer_for(in.encoding, in.bits, channels);
    const SparsePeKernel reference(l, LayerParams{});
    std::vector<std::vector<int32_t>> vectors;
    std::vector<const int32_t*> inputs;
    for (int i = 0; i < pes; ++i) vectors.push_back(random_codes(rng, fan_in, in));
    for (const auto& v : vectors) inputs.push_back(v.data());
    for (auto form : {SparseRowKernel::Form::Cheaper, SparseRowKernel::Form::Dense, SparseRowKernel::Form::Sparse}) {
        SparseRowKernel fast(in.encoding, in.bits, fan_in, channels, form);
        for (const DecodedRow& r : rows) fast.add_row(r);
        fast.load_inputs(inputs.data(), pes);
        for (const DecodedRow& r : rows) {
            std::vector<int64_t> want(static_cast<size_t>(pes)), got(static_cast<size_t>(pes));
            reference.accumulate(r, inputs.data(), pes, want.data());
            fast.accumulate(r.channel, got.data());
            EXPECT_EQ(got, want) << "channel " << r.channel << " fan_in " << fan_in << " sparsity " << sparsity
                                 << " form " << int(form) << " encoding " << int(enc) << " input "
                                 << int(in.encoding) << "/" << in.bits << " pes " << pes;
        }
    }
}

class SparseRowKernelTest : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override { allow_simd_kernels(GetParam()); }
    void TearDown() override { allow_simd_kernels(true); }
};

TEST_P(SparseRowKernelTest, MatchesTheReferenceAccumulation) {
    uint64_t seed = 1;
    for (Inputs in : {Inputs{Encoding::Bipolar, 1}, Inputs{Encoding::Unsigned, 2}, Inputs{Encoding::Unsigned, 8},
                      Inputs{Encoding::Signed, 4}, Inputs{Encoding::Signed, 8}, Inputs{Encoding::Unsigned, 12}})
        for (WeightEncoding enc : {WeightEncoding::RunLength, WeightEncoding::Huffman})
            for (double sparsity : {0.0, 0.5, 0.9, 1.0})
                for (int64_t fan_in : {1, 27, 63, 65, 129, 517})
                    for (int pes : {1, 3, 5}) check(in, enc, sparsity, fan_in, pes, seed++);
}

TEST_P(SparseRowKernelTest, CodesOutsideThePlanesFallBackToTheSparseForm) {
    // Unsigned 2-bit inputs carrying wider codes: the dense form cannot hold them.
    Rng rng(99);
    const int64_t fan_in = 301;
    const std::vector<int8_t> w = random_rows(rng, 3, fan_in, 0.3);
    const EncodedWeights stream = encode_ternary(w.data(), 3, fan_in, WeightEncoding::RunLength, 4);
    const std::vector<DecodedRow> rows = run_decoder(stream, 0, 1);
    const SparsePeKernel reference(layer_for(Encoding::Unsigned, 2, 3), LayerParams{});
    std::vector<int32_t> x = random_codes(rng, fan_in, {Encoding::Unsigned, 2});
    x[17] = 1000;
    x[200] = -5;
    const int32_t* inputs[] = {x.data()};
    SparseRowKernel fast(Encoding::Unsigned, 2, fan_in, 3, SparseRowKernel::Form::Dense);
    for (const DecodedRow& r : rows) fast.add_row(r);
    fast.load_inputs(inputs, 1);
    for (const DecodedRow& r : rows) {
        EXPECT_TRUE(fast.dense(r.channel));
        int64_t want = 0, got = 0;
        reference.accumulate(r, inputs, 1, &want);
        fast.accumulate(r.channel, &got);
        EXPECT_EQ(got, want) << "channel " << r.channel;
    }
}

TEST(SparseRowKernel, TakesTheCheaperFormPerRow) {
    // Bipolar inputs, fan_in 640 (10 words): dense costs 20 popcounts, sparse one load per entry.
    const int64_t fan_in = 640;
    std::vector<int8_t> w(size_t(2 * fan_in), 0);
    for (int64_t s = 0; s < fan_in; s += 2) w[size_t(s)] = 1;  // row 0: 320 entries
    w[size_t(fan_in + 5)] = -1;                                 // row 1: 1 weight
    const EncodedWeights stream = encode_ternary(w.data(), 2, fan_in, WeightEncoding::RunLength, 5);
    const std::vector<DecodedRow> rows = run_decoder(stream, 0, 1);
    SparseRowKernel fast(Encoding::Bipolar, 1, fan_in, 2);
    for (const DecodedRow& r : rows) fast.add_row(r);
    EXPECT_TRUE(fast.dense(0));
    EXPECT_FALSE(fast.dense(1));
    SparseRowKernel raw(Encoding::Accumulator, 32, fan_in, 2, SparseRowKernel::Form::Dense);
    for (const DecodedRow& r : rows) raw.add_row(r);
    EXPECT_FALSE(raw.dense(0));  // raw accumulators have no planes
}

INSTANTIATE_TEST_SUITE_P(Simd, SparseRowKernelTest, ::testing::Bool());

}  // namespace sparse_row_kernel_test
}  // namespace qsim
