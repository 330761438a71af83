#include "models/mvtu/weight_memory.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "models/common/int_math.hpp"

// 64-bit chunks are filled from and read as byte strings (lane 0 in the low byte).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the weight memories assume a little-endian host");

namespace qsim {

WeightMemory::WeightMemory(const LayerConfig& layer)
    : binary_(layer.weights.quant == WeightQuant::Binary),
      pe_(layer.physical_pe()),
      simd_(layer.folding.simd),
      bits_(layer.weights.bits),
      channels_(layer.out.channels),
      fan_in_(layer.fan_in()) {
    if (fan_in_ % simd_ != 0 || channels_ % pe_ != 0)
        throw std::invalid_argument(layer.name + ": SIMD must divide fan-in and PE the channels");
    synapse_folds_ = uint64_t(fan_in_ / simd_);
    depth_ = uint64_t(channels_ / pe_) * synapse_folds_;
    chunks_ = int(ceil_div(uint64_t(simd_) * bits_, 64));
    data_.assign(size_t(pe_) * depth_ * chunks_, 0);
}

namespace {

// `n` (1..64) bits of the byte string `bytes` (`size` bytes, bit 0 of byte 0 first) from bit
// `pos` on; pos + n <= 8 * size.
inline uint64_t load_bits(const uint8_t* bytes, uint64_t size, uint64_t pos, int n) {
    const uint64_t first = pos / 8;
    const int shift = int(pos % 8);
    uint64_t v = 0;
    if (first + 9 <= size) {
        std::memcpy(&v, bytes + first, 8);
        v >>= shift;
        if (shift != 0) v |= uint64_t(bytes[first + 8]) << (64 - shift);
    } else {
        for (uint64_t b = first; b < size && b < first + 9; ++b) {
            const int at = int(b - first) * 8 - shift;
            if (at < 0) v |= uint64_t(bytes[b]) >> -at;
            else if (at < 64) v |= uint64_t(bytes[b]) << at;
        }
    }
    return n == 64 ? v : v & ((uint64_t(1) << n) - 1);
}

}  // namespace

WeightMemory::WeightMemory(const LayerConfig& layer, const uint8_t* packed_codes) : WeightMemory(layer) {
    const int expected = binary_ ? 1 : layer.weights.quant == WeightQuant::Ternary ? 2 : bits_;
    if (bits_ != expected || bits_ < 1 || bits_ > 8)
        throw std::invalid_argument(layer.name + ": " + std::to_string(bits_) + "-bit memory fields cannot take " +
                                    std::to_string(expected) + "-bit record codes");
    // A word is SIMD consecutive codes of one channel, so it is a slice of the channel's bits.
    const uint64_t bytes = ceil_div(uint64_t(fan_in_) * uint64_t(channels_) * uint64_t(bits_), 8);
    const uint64_t word_bits = uint64_t(simd_) * uint64_t(bits_);
    if (word_bits % 64 == 0 && (uint64_t(fan_in_) * uint64_t(bits_)) % 8 == 0) {
        // Words of whole chunks and channels starting on a byte: a channel's words follow each
        // other in its PE's memory as its codes do in the record.
        const size_t channel_bytes = size_t(fan_in_) * size_t(bits_) / 8;
        for (int n = 0; n < channels_; ++n) {
            int bit = 0;
            std::memcpy(data_.data() + locate(n, 0, bit), packed_codes + size_t(n) * channel_bytes, channel_bytes);
        }
        return;
    }
    for (int n = 0; n < channels_; ++n) {
        int bit = 0;
        uint64_t* word = data_.data() + locate(n, 0, bit);
        uint64_t pos = uint64_t(n) * uint64_t(fan_in_) * uint64_t(bits_);
        for (uint64_t sf = 0; sf < synapse_folds_; ++sf, pos += word_bits, word += chunks_)
            for (int c = 0; c < chunks_; ++c)
                word[c] = load_bits(packed_codes, bytes, pos + uint64_t(64 * c),
                                    int(std::min<uint64_t>(64, word_bits - uint64_t(64 * c))));
    }
}

WeightMemory::WeightMemory(const LayerConfig& layer, const LayerParams& params) : WeightMemory(layer) {
    if (int64_t(params.weights.size()) != fan_in_ * channels_)
        throw std::invalid_argument(layer.name + ": expected " + std::to_string(fan_in_ * channels_) +
                                    " weights, got " + std::to_string(params.weights.size()));
    if (binary_ && bits_ == 1) {
        store_binary(params);
        return;
    }
    // Channel n's words follow each other from its first address (FINN layout, see header):
    // synapse s sits in word s / SIMD at bit (s % SIMD) * bits. A field may straddle two chunks.
    const uint64_t mask = bits_ >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits_) - 1;
    if (bits_ > 0 && 64 % bits_ == 0) {
        // No field straddles: each chunk is assembled in a register, 64 / bits lanes.
        const int per_chunk = 64 / bits_;
        for (int n = 0; n < channels_; ++n) {
            int bit = 0;
            uint64_t* word = data_.data() + locate(n, 0, bit);
            const int8_t* w = params.weights.data() + size_t(n) * size_t(fan_in_);
            for (int64_t s0 = 0; s0 < fan_in_; s0 += simd_, word += chunks_)
                for (int c = 0; c < chunks_; ++c) {
                    const int l0 = c * per_chunk, l1 = std::min(simd_, l0 + per_chunk);
                    uint64_t v = 0;
                    for (int l = l0; l < l1; ++l) {
                        const int8_t x = w[s0 + l];
                        const uint64_t code = binary_ ? uint64_t(x > 0 ? 1 : 0) : uint64_t(int64_t(x)) & mask;
                        v |= code << ((l - l0) * bits_);
                    }
                    word[c] = v;
                }
        }
        return;
    }
    for (int n = 0; n < channels_; ++n) {
        int bit = 0;
        uint64_t* word = data_.data() + locate(n, 0, bit);
        const int8_t* w = params.weights.data() + size_t(n) * size_t(fan_in_);
        int lane = 0;
        for (int64_t s = 0; s < fan_in_; ++s) {
            const uint64_t code = binary_ ? uint64_t(w[s] > 0 ? 1 : 0) : uint64_t(int64_t(w[s])) & mask;
            const int offset = lane * bits_;
            const int chunk = offset / 64, shift = offset % 64;
            word[chunk] |= code << shift;
            if (shift + bits_ > 64) word[chunk + 1] |= code >> (64 - shift);
            if (++lane == simd_) {
                lane = 0;
                word += chunks_;
            }
        }
    }
}

namespace {

// Bit j of each of the 8 bytes of `bytes`, gathered into bits 0..7 (byte k -> bit k): the
// multiplier moves byte k's bit to position 56 + k, and no two partial products overlap.
inline uint64_t gather_bit(uint64_t bytes, int j) {
    return (((bytes >> j) & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56;
}

// `n` (1..64) bits of the bit string `bits` from bit `pos` on.
inline uint64_t read_bits(const uint64_t* bits, uint64_t pos, int n) {
    const int shift = int(pos % 64);
    uint64_t v = bits[pos / 64] >> shift;
    if (shift + n > 64) v |= bits[pos / 64 + 1] << (64 - shift);
    return n == 64 ? v : v & ((uint64_t(1) << n) - 1);
}

// ORs the low `n` (1..64) bits of `v` into the bit string `bits` at bit `pos`.
inline void write_bits(uint64_t* bits, uint64_t pos, int n, uint64_t v) {
    const int shift = int(pos % 64);
    bits[pos / 64] |= v << shift;
    if (shift + n > 64) bits[pos / 64 + 1] |= v >> (64 - shift);
}

}  // namespace

// Binary weights: each channel's signs become a bit string 64 at a time, then its SIMD-bit
// words are cut from it.
void WeightMemory::store_binary(const LayerParams& params) {
    const size_t words = size_t(ceil_div(uint64_t(fan_in_), 64));
    std::vector<uint64_t> stream(words + 1);
    for (int n = 0; n < channels_; ++n) {
        const int8_t* w = params.weights.data() + size_t(n) * size_t(fan_in_);
        std::fill(stream.begin(), stream.end(), 0);
        int64_t s = 0;
        for (; s + 8 <= fan_in_; s += 8) {
            uint64_t bytes;
            std::memcpy(&bytes, w + s, 8);
            // Bit 7 of each byte of `positive`: the byte is non-zero and its sign bit is clear.
            const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
            const uint64_t positive = (((bytes & low7) + low7) | bytes) & ~bytes;
            stream[size_t(s / 64)] |= gather_bit(positive, 7) << (s % 64);
        }
        for (; s < fan_in_; ++s)
            if (w[s] > 0) stream[size_t(s / 64)] |= uint64_t(1) << (s % 64);
        int bit = 0;
        uint64_t* word = data_.data() + locate(n, 0, bit);
        for (uint64_t pos = 0; pos < uint64_t(fan_in_); pos += uint64_t(simd_), word += chunks_)
            for (int c = 0; c < chunks_; ++c) {
                const int take = std::min(64, simd_ - 64 * c);
                word[c] = read_bits(stream.data(), pos + uint64_t(64 * c), take);
            }
    }
}

void WeightMemory::channel_bits(int n, uint64_t* out) const {
    if (bits_ != 1) throw std::logic_error("channel_bits needs a 1-bit weight memory");
    int bit = 0;
    const uint64_t* word = data_.data() + locate(n, 0, bit);
    if (simd_ % 64 == 0) {
        // Whole-chunk words: the channel's words are its bit string.
        std::memcpy(out, word, size_t(fan_in_ / 64) * sizeof(uint64_t));
        return;
    }
    std::fill(out, out + ceil_div(uint64_t(fan_in_), 64), 0);
    for (uint64_t pos = 0; pos < uint64_t(fan_in_); pos += uint64_t(simd_), word += chunks_)
        for (int c = 0; c < chunks_; ++c) {
            const int take = std::min(64, simd_ - 64 * c);
            write_bits(out, pos + uint64_t(64 * c), take, word[c]);
        }
}

// Index of the first 64-bit chunk of the word holding (n, s) and the field's bit offset
// within the word (a field may straddle two chunks when `bits` does not divide 64).
size_t WeightMemory::locate(int n, int64_t s, int& bit) const {
    const int p = n % pe_;
    const uint64_t address = uint64_t(n / pe_) * synapse_folds_ + uint64_t(s / simd_);
    bit = int(s % simd_) * bits_;
    return (size_t(p) * depth_ + address) * chunks_;
}

int8_t WeightMemory::weight(int n, int64_t s) const {
    int bit = 0;
    const size_t base = locate(n, s, bit);
    uint64_t code = 0;
    for (int b = 0; b < bits_; ++b, ++bit)
        code |= ((data_[base + size_t(bit / 64)] >> (bit % 64)) & 1u) << b;
    if (binary_) return code ? 1 : -1;
    // Sign-extend the two's complement field.
    const int64_t sign = int64_t(1) << (bits_ - 1);
    return int8_t((int64_t(code) ^ sign) - sign);
}

void WeightMemory::channel_weights(int n, int8_t* out) const {
    int bit = 0;
    const uint64_t* word = data_.data() + locate(n, 0, bit);
    const uint64_t mask = (uint64_t(1) << bits_) - 1;
    const int64_t sign = int64_t(1) << (bits_ - 1);
    if (bits_ == 8 && !binary_) {
        // Two's complement bytes, lane 0 first: a word's bytes in host order are the weights.
        for (int64_t s0 = 0; s0 < fan_in_; s0 += simd_, word += chunks_)
            std::memcpy(out + s0, word, size_t(simd_));
        return;
    }
    if (bits_ > 0 && 64 % bits_ == 0) {
        // No field straddles two chunks: 64 / bits lanes out of each chunk.
        const int per_chunk = 64 / bits_;
        for (int64_t s0 = 0; s0 < fan_in_; s0 += simd_, word += chunks_)
            for (int c = 0; c < chunks_; ++c) {
                const int l0 = c * per_chunk, l1 = std::min(simd_, l0 + per_chunk);
                const uint64_t v = word[c];
                for (int l = l0; l < l1; ++l) {
                    const uint64_t code = (v >> ((l - l0) * bits_)) & mask;
                    out[s0 + l] = binary_ ? int8_t(code ? 1 : -1) : int8_t((int64_t(code) ^ sign) - sign);
                }
            }
        return;
    }
    int lane = 0;
    for (int64_t s = 0; s < fan_in_; ++s) {
        const int offset = lane * bits_;
        const int chunk = offset / 64, shift = offset % 64;
        uint64_t code = word[chunk] >> shift;
        if (shift + bits_ > 64) code |= word[chunk + 1] << (64 - shift);
        code &= mask;
        out[s] = binary_ ? int8_t(code ? 1 : -1) : int8_t((int64_t(code) ^ sign) - sign);
        if (++lane == simd_) {
            lane = 0;
            word += chunks_;
        }
    }
}

const int8_t* WeightMemory::channel_bytes(int n) const {
    if (binary_ || bits_ != 8 || simd_ % 8 != 0) return nullptr;
    int bit = 0;
    return reinterpret_cast<const int8_t*>(data_.data() + locate(n, 0, bit));
}

const uint64_t* WeightMemory::word(int pe, uint64_t address) const {
    return data_.data() + (size_t(pe) * depth_ + address) * chunks_;
}

}  // namespace qsim
