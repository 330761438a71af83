// Core tests of the sparse ternary weight encoders (thesis ch. 3.2.4, 3.4.1): the entries of a
// row, run-length and Huffman round trips over densities and delta widths, the escapes (skips
// for wide gaps, end of row), the canonical Huffman code, the serialized form and its
// validation, and the compressed sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/common/rng.hpp"
#include "models/decompressor/ternary_codec.hpp"

namespace qsim {
namespace ternary_codec_test {

std::vector<int8_t> random_ternary(size_t n, double density, uint64_t seed) {
    Rng rng(seed);
    std::vector<int8_t> w(n);
    for (auto& v : w) v = rng.uniform() < density ? int8_t((rng.next() >> 63) ? 1 : -1) : int8_t(0);
    return w;
}

TEST(TernaryCodec, RowEntriesAreIndexDeltasWithSignsSkipsAndAnEnd) {
    // Nonzeros at 0 (+1), 3 (-1), 12 (+1); delta width 2 (M = 3): 12 - 3 = 9 = 3 + 3 + 3.
    std::vector<int8_t> row(14, 0);
    row[0] = 1;
    row[3] = -1;
    row[12] = 1;
    const auto e = row_entries(row.data(), 14, 2);
    ASSERT_EQ(e.size(), 6u);
    EXPECT_EQ(e[0].kind, EntryKind::Weight);
    EXPECT_EQ(e[0].delta, 1u);  // from index -1
    EXPECT_EQ(e[0].weight, 1);
    EXPECT_EQ(e[1].kind, EntryKind::Weight);
    EXPECT_EQ(e[1].delta, 3u);
    EXPECT_EQ(e[1].weight, -1);
    EXPECT_EQ(e[2].kind, EntryKind::Skip);
    EXPECT_EQ(e[3].kind, EntryKind::Skip);
    EXPECT_EQ(e[4].kind, EntryKind::Weight);
    EXPECT_EQ(e[4].delta, 3u);
    EXPECT_EQ(e[5].kind, EntryKind::EndOfRow);
    // An all-zero row is only its end; trailing zeros cost nothing.
    const std::vector<int8_t> zeros(100, 0);
    EXPECT_EQ(row_entries(zeros.data(), 100, 4).size(), 1u);
    EXPECT_THROW(row_entries(std::vector<int8_t>{2}.data(), 1, 4), std::invalid_argument);
}

TEST(TernaryCodec, RunLengthIsSignMagnitudeOfOnePlusDeltaBits) {
    // One row: +1 at 1 (delta 2), -1 at 2 (delta 1), end. b = 3: entries of 4 bits, sign first.
    const std::vector<int8_t> w = {0, 1, -1, 0};
    const EncodedWeights e = encode_ternary(w.data(), 1, 4, WeightEncoding::RunLength, 3);
    EXPECT_EQ(e.entries, 3u);
    EXPECT_EQ(e.nonzeros, 2u);
    EXPECT_EQ(e.stream_bits, 12u);
    // Entry bits, LSB first: [0, 0 1 0] [1, 1 0 0] [1, 0 0 0] -> stream 0b0001'0011'0100 ... as bytes.
    const uint32_t bits = uint32_t(e.stream[0]) | uint32_t(e.stream[1]) << 8;
    EXPECT_EQ(bits & 0xF, 0b0100u);         // sign 0, magnitude 2
    EXPECT_EQ((bits >> 4) & 0xF, 0b0011u);  // sign 1, magnitude 1
    EXPECT_EQ((bits >> 8) & 0xF, 0b0001u);  // sign 1, magnitude 0: end of row
    EXPECT_EQ(decode_ternary(e), w);
}

TEST(TernaryCodec, BothEncodingsRoundTripOverDensitiesAndDeltaWidths) {
    for (double density : {0.0, 0.01, 0.08, 0.5, 1.0})
        for (int b : {1, 3, 7, 15})
            for (WeightEncoding enc : {WeightEncoding::RunLength, WeightEncoding::Huffman}) {
                SCOPED_TRACE(std::string(to_string(enc)) + " density " + std::to_string(density) + " b " +
                             std::to_string(b));
                const auto w = random_ternary(13 * 301, density, uint64_t(b * 1000 + density * 100));
                const EncodedWeights e = encode_ternary(w.data(), 13, 301, enc, b);
                EXPECT_EQ(decode_ternary(e), w);
                uint64_t nz = 0;
                for (int8_t v : w) nz += v != 0;
                EXPECT_EQ(e.nonzeros, nz);
                EXPECT_EQ(e.row_entry_counts.size(), 13u);
                uint64_t sum = 0;
                for (uint64_t c : e.row_entry_counts) sum += c;
                EXPECT_EQ(sum, e.entries);
                EXPECT_EQ(e.entries, nz + e.skips + 13);
                // The serialized form parses back to the same stream.
                const auto bytes = serialize_encoded(e);
                const EncodedWeights p = parse_encoded(bytes.data(), bytes.size(), enc, 13, 301);
                EXPECT_EQ(decode_ternary(p), w);
                EXPECT_EQ(p.entries, e.entries);
            }
}

TEST(TernaryCodec, HuffmanCodeIsCanonicalAndFavoursFrequentDeltas) {
    // Counts 50, 20, 20, 5, 5: a valid prefix code with the frequent symbol shortest.
    const auto table = huffman_code_lengths({50, 20, 20, 5, 5, 0});
    ASSERT_EQ(table.size(), 5u);
    double kraft = 0;
    for (const auto& s : table) kraft += std::ldexp(1.0, -s.length);
    EXPECT_DOUBLE_EQ(kraft, 1.0);
    EXPECT_EQ(table[0].symbol, 0);
    EXPECT_EQ(table[0].length, 1);
    EXPECT_GE(table[4].length, table[1].length);
    EXPECT_EQ(huffman_code_lengths({0, 7}).at(0).length, 1);  // one symbol: one bit
    // Skewed counts stay within the decoder's 24-bit limit.
    std::vector<uint64_t> fib = {1, 1};
    while (fib.size() < 40) fib.push_back(fib[fib.size() - 1] + fib[fib.size() - 2]);
    for (const auto& s : huffman_code_lengths(fib)) EXPECT_LE(s.length, kMaxHuffmanCodeBits);
}

TEST(TernaryCodec, HuffmanIsSmallerThanRunLengthAtHighSparsity) {
    // ch. 3.2.4: "HC has ... a higher compression rate than RLE".
    const auto w = random_ternary(64 * 4096, 0.024, 5);
    const CompressedSizes s = compressed_sizes(w.data(), 64, 4096, 7);
    EXPECT_EQ(s.weights, 64u * 4096);
    EXPECT_EQ(s.packed_bits, 2u * 64 * 4096);
    EXPECT_EQ(s.rle_bits, s.rle_entries * 8);
    EXPECT_LT(s.huffman_bits, s.rle_bits);
    EXPECT_LT(s.rle_bits, s.packed_bits / 4);
    // The best run-length width for a 2.4% density is near log2 of the mean gap (about 41).
    const int b = best_delta_bits(w.data(), 64, 4096);
    EXPECT_GE(b, 5);
    EXPECT_LE(b, 7);
    const CompressedSizes best = smallest_sizes(w.data(), 64, 4096);
    EXPECT_LE(best.rle_bits, s.rle_bits);
    EXPECT_LE(best.huffman_bits, s.huffman_bits);
}

TEST(TernaryCodec, MalformedStreamsAreRejectedWithTheirOffset) {
    const std::vector<int8_t> w = {1, 0, 0, -1, 0, 1};
    const EncodedWeights e = encode_ternary(w.data(), 2, 3, WeightEncoding::RunLength, 4);
    auto bytes = serialize_encoded(e);
    // Fewer rows than the layer has: the stream ends in row 2.
    EXPECT_THROW(parse_encoded(bytes.data(), bytes.size(), WeightEncoding::RunLength, 3, 3), CodecError);
    // A delta past the fan-in.
    EXPECT_THROW(parse_encoded(bytes.data(), bytes.size(), WeightEncoding::RunLength, 2, 2), CodecError);
    // delta_bits out of range, trailing bytes, truncation.
    auto bad = bytes;
    bad[0] = 0;
    EXPECT_THROW(parse_encoded(bad.data(), bad.size(), WeightEncoding::RunLength, 2, 3), CodecError);
    bad = bytes;
    bad.push_back(0);
    EXPECT_THROW(parse_encoded(bad.data(), bad.size(), WeightEncoding::RunLength, 2, 3), CodecError);
    try {
        parse_encoded(bytes.data(), 5, WeightEncoding::RunLength, 2, 3);
        ADD_FAILURE() << "truncated stream accepted";
    } catch (const CodecError& err) {
        EXPECT_EQ(err.offset(), 1u);  // the entry count field
    }
    // A Huffman table that is not a prefix code.
    const EncodedWeights h = encode_ternary(w.data(), 2, 3, WeightEncoding::Huffman, 4);
    auto hb = serialize_encoded(h);
    for (size_t i = 0; i < h.table.size(); ++i) hb[5 + 3 * i + 2] = 1;  // every length 1
    EXPECT_THROW(parse_encoded(hb.data(), hb.size(), WeightEncoding::Huffman, 2, 3), CodecError);
}

}  // namespace ternary_codec_test
}  // namespace qsim
