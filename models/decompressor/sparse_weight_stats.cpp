#include "models/decompressor/sparse_weight_stats.hpp"

#include "models/decompressor/ternary_codec.hpp"

namespace qsim {

SparseWeightStats sparse_weight_stats(const LayerConfig& l, const LayerParams& p) {
    SparseWeightStats s;
    if (!l.decompressor.enabled || p.weights.size() != uint64_t(l.weight_count())) return s;
    s.enabled = true;
    s.encoding = to_string(l.decompressor.encoding);
    s.delta_bits = l.decompressor.delta_bits;
    const CompressedSizes c = compressed_sizes(p.weights.data(), l.out.channels, l.fan_in(), s.delta_bits);
    s.weights = c.weights;
    s.nonzeros = c.nonzeros;
    s.packed_bits = c.packed_bits;
    s.rle_bits = c.rle_bits;
    s.huffman_bits = c.huffman_bits;
    return s;
}

}  // namespace qsim
