// What a weight file holds without a config (`qnn-weights info`, docs/weights-format.md): the
// header, the checksum, one line per layer record, the ternary layers' stored form and coded
// sizes (docs/sparse.md), and the first structural problem, as a WeightFileSummary and as text.
#include <cstdio>
#include <iomanip>
#include <limits>
#include <sstream>

#include "models/network/weight_file_format.hpp"

namespace qsim {

using namespace weight_file_detail;

WeightFileSummary summarize_weight_file(const std::string& path) {
    // A regular file with a weight-file header; no more is read than the header declares.
    uint64_t size = 0;
    const std::optional<Header> head = check_weight_file_before_reading(path, &size);
    const std::vector<uint8_t> bytes =
        read_file_bytes(path, head ? payload_end_of(*head) + kWeightFileTrailerBytes : size);
    WeightFileSummary s;
    s.file = path;
    s.file_bytes = size;
    Reader r(bytes, path, kWeightFileHeaderBytes);
    const Header h = read_header(r);
    s.version = h.version;
    s.flags = h.flags;
    s.layer_count = h.layer_count;
    s.payload_bytes = h.payload;
    const uint64_t payload_end = payload_end_of(h);
    if (bytes.size() >= payload_end + kWeightFileTrailerBytes) {
        s.checksum_present = true;
        s.computed_crc = crc32(bytes.data(), size_t(payload_end));
        const uint8_t* p = bytes.data() + payload_end;
        s.stored_crc = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    }
    Reader body(bytes, path, payload_end);
    body.seek(kWeightFileHeaderBytes);
    body.version = h.version;
    try {
        for (uint32_t i = 0; i < h.layer_count; ++i) {
            WeightFileLayerInfo li;
            parse_record(body, i, nullptr, nullptr, &li);
            s.layers.push_back(li);
        }
        if (body.pos() != payload_end && body.pos() < bytes.size())
            throw WeightFileError(path, body.pos(), "header.payload_bytes",
                                  "the layer records end at @" + std::to_string(body.pos()) +
                                      " but the header declares " + std::to_string(h.payload) +
                                      " payload bytes");
        if (!s.checksum_present) {
            Reader trailer(bytes, path, std::numeric_limits<uint64_t>::max());
            trailer.seek(payload_end);
            trailer.need(kWeightFileTrailerBytes, "checksum");
        }
        if (size > payload_end + kWeightFileTrailerBytes)
            throw WeightFileError(path, payload_end + kWeightFileTrailerBytes, "trailer",
                                  "trailing data: " + std::to_string(size - payload_end - kWeightFileTrailerBytes) +
                                      " bytes after the checksum");
    } catch (const WeightFileError& e) {
        s.problem = e.what();
    }
    return s;
}

std::string format_weight_file_summary(const WeightFileSummary& s) {
    std::ostringstream os;
    os << "file: " << s.file << " (" << s.file_bytes << " bytes)\n";
    os << "format: QNNSIMW version " << s.version << ", flags " << s.flags << ", " << s.layer_count
       << " layer records, " << s.payload_bytes << " payload bytes\n";
    os << "checksum: ";
    if (!s.checksum_present) os << "missing (file truncated)\n";
    else if (s.checksum_ok()) os << hex32(s.stored_crc) << " OK\n";
    else os << "BAD (stored " << hex32(s.stored_crc) << ", computed " << hex32(s.computed_crc) << ")\n";
    os << std::left << "  " << std::setw(4) << "#" << std::setw(16) << "layer" << ' ' << std::setw(22)
       << "weights" << ' ' << std::setw(22) << "activation" << std::right << std::setw(8) << "N"
       << std::setw(10) << "fan_in" << std::setw(12) << "params" << std::setw(12) << "packed B"
       << std::setw(8) << "T/ch" << "  offset\n";
    uint64_t total_w = 0, total_packed = 0;
    for (size_t i = 0; i < s.layers.size(); ++i) {
        const auto& l = s.layers[i];
        const bool adder = l.quant == kAdder;
        std::ostringstream q;
        if (adder) q << "adder, " << l.fan_in << " inputs";  // an add layer's requantisation: no weights
        else q << weight_quant_code_name(l.quant) << ' ' << l.weight_bits << 'b';
        if (l.quant == 1) q << " eta=" << l.ternary_threshold;
        if (l.quant == 2) q << " s=" << l.scale;
        if (l.quant == kRccm) q << " l=" << l.lambda;
        std::ostringstream a;
        a << activation_code_name(l.activation) << ' ' << l.activation_bits << 'b';
        if (l.activation == 2) a << " *" << l.mul << ">>" << l.shift;
        const uint64_t count = adder ? 0 : uint64_t(l.n) * l.fan_in;
        total_w += count;
        total_packed += l.packed_bytes;
        os << std::left << "  " << std::setw(4) << i << std::setw(16) << l.name << ' ' << std::setw(22)
           << q.str() << ' ' << std::setw(22) << a.str() << std::right << std::setw(8) << l.n << std::setw(10)
           << l.fan_in << std::setw(12) << count << std::setw(12) << l.packed_bytes << std::setw(8)
           << l.thresholds_per_channel << "  @" << l.offset << "\n";
    }
    os << "total: " << total_w << " weights in " << total_packed << " packed bytes\n";
    // Sparse ternary layers (thesis ch. 3.2.4): the stored form and what each encoding needs.
    bool any = false;
    uint64_t t_w = 0, t_nz = 0, t_rle = 0, t_hc = 0;
    for (const auto& l : s.layers) {
        if (!l.compressed_known) continue;
        if (!any)
            os << "ternary weights (docs/sparse.md):\n"
               << std::left << "  " << std::setw(16) << "layer" << std::setw(14) << "stored" << std::right
               << std::setw(12) << "nonzeros" << std::setw(8) << "zeros" << std::setw(14) << "2-bit B"
               << std::setw(14) << "RLE B" << std::setw(6) << "b" << std::setw(14) << "Huffman B" << std::setw(6)
               << "b" << "\n";
        any = true;
        const uint64_t count = uint64_t(l.n) * l.fan_in;
        std::ostringstream stored;
        stored << (l.weight_encoding == 1 ? "rle" : l.weight_encoding == 2 ? "huffman" : "packed");
        if (l.weight_encoding) stored << " b=" << l.delta_bits;
        char zeros[32];
        std::snprintf(zeros, sizeof zeros, "%.1f%%", count ? 100.0 * double(count - l.weight_nonzeros) / double(count) : 0.0);
        os << std::left << "  " << std::setw(16) << l.name << std::setw(14) << stored.str() << std::right
           << std::setw(12) << l.weight_nonzeros << std::setw(8) << zeros << std::setw(14) << (2 * count + 7) / 8
           << std::setw(14) << (l.rle_bits + 7) / 8 << std::setw(6) << l.rle_delta_bits << std::setw(14)
           << (l.huffman_bits + 7) / 8 << std::setw(6) << l.huffman_delta_bits << "\n";
        t_w += count;
        t_nz += l.weight_nonzeros;
        t_rle += (l.rle_bits + 7) / 8;
        t_hc += (l.huffman_bits + 7) / 8;
    }
    if (any)
        os << "  total: " << t_nz << " nonzeros of " << t_w << " ternary weights; 2-bit " << (2 * t_w + 7) / 8
           << " B, RLE " << t_rle << " B, Huffman " << t_hc << " B\n";
    if (!s.problem.empty()) os << "error: " << s.problem << "\n";
    os << "status: " << (s.ok() ? "OK" : "BAD") << "\n";
    return os.str();
}

std::string describe_weight_file(const std::string& path) {
    return format_weight_file_summary(summarize_weight_file(path));
}

}  // namespace qsim
