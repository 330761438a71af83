// Encoders and decoders for sparse ternary weights (thesis ch. 3.2.4, 3.4.1): only the nonzero
// weights are stored, as entries of the index difference to the previous nonzero and a sign.
//
// Entries of one row (the fan_in weights of one output channel), in order:
//   weight  : delta d in 1 .. M (M = 2^b - 1, b = delta_bits) from the previous nonzero (the
//             first from index -1) and the sign (0: +1, 1: -1; the decoder outputs its
//             complement as the weight bit, ch. 3.4.1);
//   skip    : advance the address counter by M without a weight (a gap wider than M);
//   end     : the row is complete (the decoder moves on to the next row).
// Run-length coding (RLE) stores every entry as 1 + b bits in sign-magnitude form: sign bit,
// then the magnitude (the delta; 0 marks an escape: sign 0 skip, sign 1 end of row). Huffman
// coding (HC) gives each symbol (0 skip, 1..M the deltas, M + 1 end of row) a canonical prefix
// code built from the layer's symbol counts, and a weight symbol is followed by its sign bit.
// docs/weights-format.md gives the bit layout, docs/sparse.md the decoder.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/errors.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

inline constexpr int kMinDeltaBits = 1;
inline constexpr int kMaxDeltaBits = 15;    // symbols (M + 2 of them) fit 16 bits
inline constexpr int kMaxHuffmanCodeBits = 24;

// A malformed encoded stream; `offset` is the byte in the stream where it was found.
class CodecError : public InputError {
public:
    CodecError(uint64_t offset, const std::string& message)
        : InputError("", byte_offset_text(offset), "", message, "<coded weights>"), offset_(offset) {}
    uint64_t offset() const { return offset_; }

private:
    uint64_t offset_;
};

enum class EntryKind : uint8_t { Weight, Skip, EndOfRow };

struct CodedEntry {
    EntryKind kind = EntryKind::Weight;
    uint32_t delta = 0;  // weight: 1 .. M
    int8_t weight = 0;   // weight: +1 or -1
};

// The entries of one row of `fan_in` ternary weights (values -1, 0, +1).
std::vector<CodedEntry> row_entries(const int8_t* row, int64_t fan_in, int delta_bits);

// One symbol of a Huffman code and its length (canonical code: codes are assigned in order of
// length, then symbol).
struct HuffmanSymbol {
    uint16_t symbol = 0;
    uint8_t length = 0;
};

// A layer's weights in one of the two encodings: the bit stream (stream bit i is bit i % 8 of
// byte i / 8) and, for Huffman, the code table. Counts describe what the stream holds.
struct EncodedWeights {
    WeightEncoding encoding = WeightEncoding::RunLength;
    int delta_bits = 7;
    int64_t rows = 0;
    int64_t fan_in = 0;
    std::vector<HuffmanSymbol> table;  // Huffman: used symbols in increasing order
    std::vector<uint8_t> stream;
    uint64_t stream_bits = 0;
    uint64_t entries = 0;   // all entries, skips and ends of row included
    uint64_t nonzeros = 0;
    uint64_t skips = 0;
    std::vector<uint64_t> row_entry_counts;  // per row, its end included: the decoder's clocks

    // Stored bits: the stream plus, for Huffman, the table (u32 count + 24 bits per symbol).
    uint64_t stored_bits() const;
};

// Encodes `rows` x `fan_in` ternary weights (row-major). Throws std::invalid_argument for a
// non-ternary value or delta_bits outside 1..15.
EncodedWeights encode_ternary(const int8_t* weights, int64_t rows, int64_t fan_in, WeightEncoding encoding,
                              int delta_bits);
// Decodes back to rows x fan_in weights. Throws CodecError for a malformed stream.
std::vector<int8_t> decode_ternary(const EncodedWeights& e);

// Reads the entries of an encoding one at a time, in stream order: the front end of the
// decompressor (one fixed-width field per clock for RLE, one codeword per clock for Huffman).
class EntryReader {
public:
    explicit EntryReader(const EncodedWeights& e);
    bool at_end() const { return pos_ >= e_.stream_bits; }
    uint64_t bit_position() const { return pos_; }
    // The next entry; throws CodecError at the end of the stream or on an invalid code.
    CodedEntry next();

private:
    uint32_t bit();
    const EncodedWeights& e_;
    uint64_t pos_ = 0;
    uint32_t max_delta_;
    // Canonical decoding: per code length, the first code, the number of codes and where
    // their symbols start in `symbols_`.
    std::vector<uint32_t> first_, count_, start_;
    std::vector<uint16_t> symbols_;
};

// Canonical Huffman code lengths (<= kMaxHuffmanCodeBits) for symbol counts (index = symbol);
// zero counts get no code. A single used symbol gets length 1.
std::vector<HuffmanSymbol> huffman_code_lengths(const std::vector<uint64_t>& counts);

// The weight-file form of an encoding (docs/weights-format.md, "Encoded weights"), and its
// parser, which checks the structure against `rows` and `fan_in` and throws CodecError with
// the byte offset (relative to `data`) of the problem.
std::vector<uint8_t> serialize_encoded(const EncodedWeights& e);
EncodedWeights parse_encoded(const uint8_t* data, uint64_t size, WeightEncoding encoding, int64_t rows,
                             int64_t fan_in);

// The storage a layer's ternary weights need in each form, in bits.
struct CompressedSizes {
    uint64_t weights = 0;
    uint64_t nonzeros = 0;
    uint64_t packed_bits = 0;    // 2 bits per weight (the dense ternary form)
    uint64_t rle_entries = 0;
    uint64_t rle_bits = 0;       // entries x (1 + delta_bits)
    uint64_t huffman_bits = 0;   // stream (codes and sign bits) plus table
    int delta_bits = 0;          // of the run-length coding
    int huffman_delta_bits = 0;  // of the Huffman coding
};
// Both encodings at one delta width.
CompressedSizes compressed_sizes(const int8_t* weights, int64_t rows, int64_t fan_in, int delta_bits);
// Run-length coding at its best delta width, Huffman coding at the best of that width, two more
// and 15 (wider deltas need fewer skips; Huffman gives rare deltas long codes anyway).
CompressedSizes smallest_sizes(const int8_t* weights, int64_t rows, int64_t fan_in);

// The delta_bits in 1..15 that give the smallest run-length stream for these weights.
int best_delta_bits(const int8_t* weights, int64_t rows, int64_t fan_in);


}  // namespace qsim
