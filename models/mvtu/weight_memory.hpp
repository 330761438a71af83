// Weight memories of an MVTU (ch. 4.5.1, FINN): one memory per PE. PE p holds the output
// channels n with n % PE == p; its word at address nf * SF + sf (nf = n / PE neuron fold,
// SF = fan_in / SIMD synapse folds) packs the SIMD weights s = sf*SIMD .. sf*SIMD+SIMD-1 of
// channel n, `bits` wide each, lane 0 in the least significant bits.
// Binary weights store bit 1 for +1 and 0 for -1; other weights are two's complement.
#pragma once

#include <cstdint>
#include <vector>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

class WeightMemory {
public:
    WeightMemory(const LayerConfig& layer, const LayerParams& params);
    // Filled straight from a weight record's packed codes (weight k = n * fan_in + s at bits
    // k*b .. k*b+b-1 of the byte string, bit 0 of byte 0 first; decode_layer_record's
    // packed_weights, already validated). A record's code is the memory's field (binary 1 =
    // +1; ternary 01, 11, 00 and uniform two's complement; RCCM select indices), so words are
    // slices of the record: the same memory as from the decoded weights.
    WeightMemory(const LayerConfig& layer, const uint8_t* packed_codes);

    int pe_count() const { return pe_; }
    int simd() const { return simd_; }
    int bits() const { return bits_; }
    int channels() const { return channels_; }
    int64_t fan_in() const { return fan_in_; }
    uint64_t depth() const { return depth_; }             // words per PE memory
    int word_bits() const { return simd_ * bits_; }       // bits per word
    uint64_t total_bits() const { return uint64_t(pe_) * depth_ * word_bits(); }

    // Raw word of one PE memory, as 64-bit chunks (least significant chunk first).
    const uint64_t* word(int pe, uint64_t address) const;
    int chunks_per_word() const { return chunks_; }

    // Decodes the weight of output channel n, synapse s from the packed storage.
    int8_t weight(int n, int64_t s) const;
    // Decodes all fan_in() weights of output channel n into out (the same values as
    // weight(n, s) for every s, in one pass over the channel's words).
    void channel_weights(int n, int8_t* out) const;
    // 8-bit memories whose words are whole chunks (SIMD a multiple of 8): channel n's fan_in()
    // weights are consecutive two's complement bytes of its PE's memory; their address. Null
    // for every other memory.
    const int8_t* channel_bytes(int n) const;
    // 1-bit memories only: the fan_in() weight bits of channel n as one bit string (synapse s
    // at bit s % 64 of out[s / 64]; ceil(fan_in / 64) words, unused high bits 0).
    void channel_bits(int n, uint64_t* out) const;

private:
    explicit WeightMemory(const LayerConfig& layer);  // shape checked, storage zeroed
    size_t locate(int n, int64_t s, int& bit) const;
    void store_binary(const LayerParams& params);

    bool binary_;
    int pe_, simd_, bits_, channels_;
    int64_t fan_in_;
    uint64_t synapse_folds_, depth_;
    int chunks_;
    std::vector<uint64_t> data_;
};

}  // namespace qsim
