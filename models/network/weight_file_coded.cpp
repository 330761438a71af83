// Version 2's run-length and Huffman coded ternary weights in a weight file (docs/sparse.md,
// docs/weights-format.md "Encoded weights"): which records the writer codes and at what delta
// width, the coded section written in place of the packed weights, the section read back, and
// the sizes both codings give a ternary layer for `qnn-weights info`. The codec itself is
// models/decompressor/ternary_codec.hpp.
#include "models/decompressor/ternary_codec.hpp"
#include "models/network/weight_codes.hpp"
#include "models/network/weight_file_format.hpp"

namespace qsim::weight_file_detail {

namespace {

// The sizes a ternary layer's weights take run-length and Huffman coded (for the summary).
void summarize_ternary(const std::vector<int8_t>& w, WeightFileLayerInfo& li) {
    if (li.n == 0 || li.fan_in == 0 || w.size() != uint64_t(li.n) * li.fan_in) return;
    const CompressedSizes c = smallest_sizes(w.data(), li.n, li.fan_in);
    li.compressed_known = true;
    li.weight_nonzeros = c.nonzeros;
    li.rle_bits = c.rle_bits;
    li.huffman_bits = c.huffman_bits;
    li.rle_delta_bits = c.delta_bits;
    li.huffman_delta_bits = c.huffman_delta_bits;
}

}  // namespace

std::vector<RecordFormat> record_formats(const NetworkConfig& cfg, const NetworkParams& params,
                                         const WeightFileOptions& options) {
    std::vector<RecordFormat> formats(cfg.layers.size());
    uint16_t version = kWeightFileVersion;
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        const LayerConfig& L = cfg.layers[l];
        if (!L.is_compute()) continue;
        if (L.scaling_factors() > 0) version = kWeightFileVersionEncoded;
        if (!options.encoding || L.weights.quant != WeightQuant::Ternary || l >= params.layers.size()) continue;
        version = kWeightFileVersionEncoded;
        formats[l].encoding = *options.encoding == WeightEncoding::RunLength ? 1 : 2;
        const auto& wts = params.layers[l].weights;
        formats[l].delta_bits = options.delta_bits > 0   ? options.delta_bits
                                : L.decompressor.enabled ? L.decompressor.delta_bits
                                : wts.size() == uint64_t(L.weight_count())
                                    ? best_delta_bits(wts.data(), L.out.channels, L.fan_in())
                                    : 7;
    }
    for (auto& f : formats) f.version = version;
    return formats;
}

void replace_with_coded_weights(Writer& w, size_t base, const LayerParams& P, int64_t n, int64_t fan_in,
                                const RecordFormat& fmt) {
    // Drops the packed_bytes field and the packed weights.
    w.buf.resize(base - 8);
    const EncodedWeights e = encode_ternary(P.weights.data(), n, fan_in,
                                            fmt.encoding == 1 ? WeightEncoding::RunLength : WeightEncoding::Huffman,
                                            fmt.delta_bits);
    const std::vector<uint8_t> section = serialize_encoded(e);
    w.u64(section.size());
    w.bytes(section.data(), section.size());
}

void read_coded_weights(Reader& r, const std::string& f, LayerParams* decode_into, bool summarize,
                        WeightFileLayerInfo& li) {
    const uint64_t count = uint64_t(li.n) * li.fan_in;
    const uint64_t enc_off = r.pos();
    const uint8_t* enc = r.take(li.packed_bytes, f + ".weights");
    try {
        const WeightEncoding e = li.weight_encoding == 1 ? WeightEncoding::RunLength : WeightEncoding::Huffman;
        const EncodedWeights ew = parse_encoded(enc, li.packed_bytes, e, li.n, li.fan_in);
        li.delta_bits = ew.delta_bits;
        li.nonzeros = ew.nonzeros;
        if (decode_into) decode_into->weights = decode_ternary(ew);
        // The summary decodes the weights only where the stream could hold them (a density
        // of at least 1 in 64 bits, at most 2^30 weights): a damaged header cannot make it
        // allocate more than the file justifies.
        if (summarize && count <= (uint64_t(1) << 30) && count / 64 <= ew.stream_bits)
            summarize_ternary(decode_ternary(ew), li);
    } catch (const CodecError& err) {
        r.fail(enc_off + err.offset(), f + ".weights", err.message());
    }
}

void summarize_packed_ternary(const uint8_t* packed, WeightFileLayerInfo& li) {
    // Packed ternary codes: 01 = +1, 11 = -1, 00 = 0 (a 10 leaves the sizes unknown).
    const uint64_t count = uint64_t(li.n) * li.fan_in;
    std::vector<int8_t> w(count);
    if (unpack_weight_codes(packed, count, 1, 2, w.data()) == count) summarize_ternary(w, li);
}

}  // namespace qsim::weight_file_detail
