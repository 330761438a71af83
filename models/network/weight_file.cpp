// The weight file's public entry points (weight_file.hpp) at the file level: the CRC-32 (zlib's),
// the record codes of the config's enums, writing a whole file (header, records, checksum) and
// a single record, and reading one back against a config (header, size, checksum, layer count,
// then the records). The records themselves: weight_file_reader.cpp and weight_file_writer.cpp;
// coded weights: weight_file_coded.cpp; `qnn-weights info`: weight_file_summary.cpp.
#include "models/network/weight_file.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>

#include "models/common/output_file.hpp"
#include "models/network/weight_file_format.hpp"

namespace qsim {

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
    // zlib's crc32 takes a uInt length: a buffer of 4 GiB or more goes in chunks.
    constexpr size_t kChunk = size_t(1) << 30;
    uLong c = crc;
    while (size > 0) {
        const size_t n = std::min(size, kChunk);
        c = ::crc32(c, data, uInt(n));
        data += n;
        size -= n;
    }
    return uint32_t(c);
}

// The name of a record's code: the enumerator the format gives that code (quant_code(),
// activation_code()), named from its one text table.
const char* weight_quant_code_name(int code) {
    if (code == weight_file_detail::kAdder) return "adder";
    for (const auto& [q, name] : EnumText<WeightQuant>::names)
        if (weight_file_detail::quant_code(q) == code) return name;
    return "invalid";
}

const char* activation_code_name(int code) {
    for (const auto& [a, name] : EnumText<ActivationType>::names)
        if (weight_file_detail::activation_code(a) == code) return name;
    return "invalid";
}

namespace weight_file_detail {

std::string hex32(uint32_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
    return os.str();
}

int quant_code(WeightQuant q) {
    switch (q) {
        case WeightQuant::Binary: return 0;
        case WeightQuant::Ternary: return 1;
        case WeightQuant::Uniform: return 2;
        case WeightQuant::Rccm: return 3;
    }
    return 255;
}

int activation_code(ActivationType a) {
    switch (a) {
        case ActivationType::Thresholds: return 0;
        case ActivationType::Bipolar: return 1;
        case ActivationType::Relu: return 2;
        case ActivationType::None: return 3;
    }
    return 255;
}

int storage_bits(const WeightQuantConfig& q) {
    switch (q.quant) {
        case WeightQuant::Binary: return 1;
        case WeightQuant::Ternary: return 2;
        case WeightQuant::Uniform: return q.bits;
        case WeightQuant::Rccm: return q.bits;  // select bits: 4, 6, 8
    }
    return 0;
}

int record_quant_code(const LayerConfig& L) { return L.is_compute() ? quant_code(L.weights.quant) : kAdder; }

int record_weight_bits(const LayerConfig& L) { return L.is_compute() ? storage_bits(L.weights) : 0; }

int64_t record_fan_in(const LayerConfig& L) {
    if (L.is_compute()) return L.fan_in();
    return L.inputs.empty() ? 2 : int64_t(L.inputs.size());  // an add layer sums two streams
}

std::vector<const LayerConfig*> record_layers(const NetworkConfig& cfg) {
    std::vector<const LayerConfig*> v;
    for (const auto& l : cfg.layers)
        if (l.has_params()) v.push_back(&l);
    return v;
}

std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw WeightFileError(path, 0, "file", std::string("cannot open: ") + std::strerror(errno));
    std::vector<uint8_t> bytes;
    char chunk[1 << 16];
    while (bytes.size() < max_bytes && in) {
        in.read(chunk, std::streamsize(std::min<uint64_t>(sizeof chunk, max_bytes - bytes.size())));
        bytes.insert(bytes.end(), chunk, chunk + in.gcount());
    }
    if (in.bad()) throw WeightFileError(path, bytes.size(), "file", "read error");
    return bytes;
}

std::optional<Header> check_weight_file_before_reading(const std::string& path, uint64_t* file_size) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw WeightFileError(path, 0, "file", std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw WeightFileError(path, 0, "file", "cannot read: it is a directory");
    if (!S_ISREG(st.st_mode))
        throw WeightFileError(path, 0, "file", "cannot read: it is not a regular file (a device or a pipe)");
    const uint64_t size = uint64_t(st.st_size);
    if (file_size) *file_size = size;
    if (size < kWeightFileHeaderBytes) return std::nullopt;  // the reader reports the truncation
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> head(kWeightFileHeaderBytes);
    if (!in.read(reinterpret_cast<char*>(head.data()), std::streamsize(head.size())))
        throw WeightFileError(path, 0, "file", std::string("cannot read: ") + std::strerror(errno));
    Reader r(head, path, kWeightFileHeaderBytes);
    const Header h = read_header(r);  // magic, version, flags
    const uint64_t expected_size = payload_end_of(h) + kWeightFileTrailerBytes;
    if (size > expected_size && !file_size)
        throw WeightFileError(path, expected_size, "trailer",
                              "trailing data: expected the end of the file after the checksum at @" +
                                  std::to_string(payload_end_of(h)) + " (header.payload_bytes = " +
                                  std::to_string(h.payload) + "), file has " + std::to_string(size - expected_size) +
                                  " more bytes");
    return h;
}

}  // namespace weight_file_detail

using namespace weight_file_detail;

// ------------------------------------------------------------------------------------------
// Writing

std::vector<uint8_t> encode_weight_file(const NetworkConfig& cfg, const NetworkParams& params,
                                        const std::string& name) {
    return encode_weight_file(cfg, params, WeightFileOptions{}, name);
}

std::vector<uint8_t> encode_weight_file(const NetworkConfig& cfg, const NetworkParams& params,
                                        const WeightFileOptions& options, const std::string& name) {
    Writer w(name);
    if (params.layers.size() != cfg.layers.size())
        w.fail("params", "expected " + std::to_string(cfg.layers.size()) +
                             " layer entries (one per config layer), got " +
                             std::to_string(params.layers.size()));
    const auto layers = record_layers(cfg);
    // Version 1 unless a layer is stored encoded or has SYQ factors (version 2); every record
    // has the file's version.
    const std::vector<RecordFormat> formats = record_formats(cfg, params, options);
    w.bytes(kMagic, 8);
    w.u16(formats.empty() ? kWeightFileVersion : formats.front().version);
    w.u16(0);
    w.u32(layers.size());
    w.u64(0);  // payload bytes, patched below

    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        if (!cfg.layers[l].has_params()) continue;
        const std::string f = "layers[" + cfg.layers[l].name + "]";
        if (params.layers[l].layer != cfg.layers[l].name)
            w.fail(f + ".name", "parameter entry " + std::to_string(l) + " is named '" + params.layers[l].layer +
                                    "', expected '" + cfg.layers[l].name + "'");
        write_record(w, cfg.layers[l], params.layers[l], name, formats[l]);
    }
    w.patch(16, w.buf.size() - kWeightFileHeaderBytes, 8);
    w.u32(crc32(w.buf.data(), w.buf.size()));
    return std::move(w.buf);
}

void write_weight_file(const std::string& path, const NetworkConfig& cfg, const NetworkParams& params) {
    write_weight_file(path, cfg, params, WeightFileOptions{});
}

void write_weight_file(const std::string& path, const NetworkConfig& cfg, const NetworkParams& params,
                       const WeightFileOptions& options) {
    const std::vector<uint8_t> bytes = encode_weight_file(cfg, params, options, path);
    write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

std::vector<uint8_t> encode_layer_record(const LayerConfig& layer, const LayerParams& params, const std::string& name) {
    Writer w(name);
    write_record(w, layer, params, name);
    return std::move(w.buf);
}

// ------------------------------------------------------------------------------------------
// Reading

NetworkParams decode_weight_file(const std::vector<uint8_t>& bytes, const NetworkConfig& cfg,
                                 const std::string& name) {
    Reader r(bytes, name, kWeightFileHeaderBytes);
    const Header h = read_header(r);
    const uint64_t size = bytes.size();
    const uint64_t payload_end = payload_end_of(h);
    const uint64_t expected_size = payload_end + kWeightFileTrailerBytes;
    Reader body(bytes, name, payload_end);
    body.seek(kWeightFileHeaderBytes);
    body.version = h.version;
    if (size < expected_size) report_truncation(body, h, payload_end);
    if (size > expected_size)
        throw WeightFileError(name, expected_size, "trailer",
                              "trailing data: expected the end of the file after the checksum at @" +
                                  std::to_string(payload_end) + " (header.payload_bytes = " +
                                  std::to_string(h.payload) + "), file has " +
                                  std::to_string(size - expected_size) + " more bytes");
    const uint32_t computed = crc32(bytes.data(), size_t(payload_end));
    const uint32_t stored = uint32_t(bytes[payload_end]) | uint32_t(bytes[payload_end + 1]) << 8 |
                            uint32_t(bytes[payload_end + 2]) << 16 | uint32_t(bytes[payload_end + 3]) << 24;
    if (stored != computed)
        throw WeightFileError(name, payload_end, "checksum",
                              "mismatch: stored " + hex32(stored) + ", computed " + hex32(computed) +
                                  " over bytes [0, " + std::to_string(payload_end) +
                                  "): the file is corrupted");

    const auto layers = record_layers(cfg);
    if (h.layer_count != layers.size())
        throw WeightFileError(name, 12, "header.layer_count",
                              "expected " + std::to_string(layers.size()) +
                                  " (compute layers and requantised add layers in config), file has " +
                                  std::to_string(h.layer_count));
    NetworkParams params;
    params.layers.resize(cfg.layers.size());
    size_t i = 0;
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        if (!cfg.layers[l].has_params()) continue;
        parse_record(body, i++, &cfg.layers[l], &params.layers[l], nullptr);
    }
    if (body.pos() != payload_end)
        throw WeightFileError(name, body.pos(), "header.payload_bytes",
                              "the layer records end at @" + std::to_string(body.pos()) +
                                  " but the header declares " + std::to_string(h.payload) +
                                  " payload bytes (ending at @" + std::to_string(payload_end) + ")");
    return params;
}

namespace {

// More bytes than any record of `cfg`'s parameters can take, in any encoding (a weight takes at
// most 16 bits, as a run-length entry; thresholds, biases and factors 32 bits each).
uint64_t payload_bound(const NetworkConfig& cfg) {
    uint64_t bound = 0;
    for (const auto& l : cfg.layers) {
        if (!l.has_params()) continue;
        const uint64_t n = uint64_t(l.out.channels);
        bound += 4 * uint64_t(l.weight_count()) + 8 * n * (uint64_t(std::max(1, l.thresholds_per_channel())) + 2) +
                 4 * uint64_t(l.scaling_factors()) + 4096;
    }
    return bound;
}

}  // namespace

NetworkParams read_weight_file(const std::string& path, const NetworkConfig& cfg) {
    // Checked before anything large is read: a regular file, a weight-file header, and a size
    // the parameters of this configuration can have.
    if (const std::optional<Header> h = check_weight_file_before_reading(path)) {
        const uint64_t bound = payload_bound(cfg);
        if (h->payload > bound)
            throw WeightFileError(path, 16, "header.payload_bytes",
                                  "declares " + std::to_string(h->payload) +
                                      " bytes of layer records, more than the parameters of this configuration can "
                                      "take in any encoding (at most " + std::to_string(bound) + ")");
    }
    return decode_weight_file(read_file_bytes(path), cfg, path);
}

LayerParams decode_layer_record(const std::vector<uint8_t>& bytes, const LayerConfig& layer, const std::string& name) {
    return decode_layer_record(bytes.data(), bytes.size(), layer, name, nullptr);
}

LayerParams decode_layer_record(const uint8_t* bytes, size_t size, const LayerConfig& layer, const std::string& name,
                                const uint8_t** packed_weights) {
    Reader r(bytes, size, name, size);
    LayerParams params;
    if (packed_weights) *packed_weights = nullptr;
    parse_record(r, 0, &layer, &params, nullptr, packed_weights);
    if (r.pos() != size)
        throw WeightFileError(name, r.pos(), "layers[" + layer.name + "]",
                              "the record ends at @" + std::to_string(r.pos()) + " but " + std::to_string(size) +
                                  " bytes were given");
    return params;
}

}  // namespace qsim
