#include "models/decompressor/sparse_weight_stats.hpp"

#include "models/decompressor/ternary_codec.hpp"

namespace qsim {

SparseWeightStats sparse_weight_stats(const LayerConfig& l, const LayerParams& p) {
    SparseWeightStats s;
    const bool ternary = l.weights.quant == WeightQuant::Ternary;
    if ((!l.decompressor.enabled && !ternary) || p.weights.size() != uint64_t(l.weight_count())) return s;
    s.enabled = true;
    s.decoded = l.decompressor.enabled;
    if (s.decoded) s.encoding = to_string(l.decompressor.encoding);
    // A decompressor reads the layer's own delta width; without one, the width that stores the
    // weights smallest (what `decompressor: {delta_bits}` would best be set to).
    const CompressedSizes c =
        s.decoded ? compressed_sizes(p.weights.data(), l.out.channels, l.fan_in(), l.decompressor.delta_bits)
                  : smallest_sizes(p.weights.data(), l.out.channels, l.fan_in());
    s.delta_bits = c.delta_bits;
    s.weights = c.weights;
    s.nonzeros = c.nonzeros;
    s.packed_bits = c.packed_bits;
    s.rle_bits = c.rle_bits;
    s.huffman_bits = c.huffman_bits;
    return s;
}

}  // namespace qsim
