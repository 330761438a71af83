// Internal to the weight-file code (models/network/weight_file*.cpp); callers use
// weight_file.hpp. What the reader, the writer, the coded-weights part and the summary share:
// the byte-level Writer and Reader, the file header, the record codes of the config's enums,
// and the functions that read and write one layer record (docs/weights-format.md).
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "models/network/weight_file.hpp"

namespace qsim::weight_file_detail {

inline constexpr uint8_t kMagic[8] = {'Q', 'N', 'N', 'S', 'I', 'M', 'W', 0};
inline constexpr int kRelu = 2;     // activation code of relu; the record ends with bias, mul and shift
inline constexpr int kRccm = 3;     // quant code of RCCM select indices; the record ends with lambda (u8)
inline constexpr int kAdder = 4;    // quant code of an add layer's record: no weights, its requantisation only

std::string hex32(uint32_t v);

// The record codes of the config's enums (docs/weights-format.md, "Layer records").
int quant_code(WeightQuant q);
int activation_code(ActivationType a);

// Storage bits of a weight as the file must hold them for this config.
int storage_bits(const WeightQuantConfig& q);

// What a layer's record holds in its quant, weight_bits and fan_in fields: a compute layer's
// quantisation, weight width and synapses; an add layer's kAdder, 0 and its inputs (2).
int record_quant_code(const LayerConfig& L);
int record_weight_bits(const LayerConfig& L);
int64_t record_fan_in(const LayerConfig& L);
// The config's layers that have a record (LayerConfig::has_params), in order.
std::vector<const LayerConfig*> record_layers(const NetworkConfig& cfg);

inline uint64_t packed_size(uint64_t count, int bits) { return (count * uint64_t(bits) + 7) / 8; }

// ------------------------------------------------------------------------------------------
// Writing

class Writer {
public:
    explicit Writer(std::string name) : name_(std::move(name)) {}
    void u8(uint64_t v) { put(v, 1); }
    void u16(uint64_t v) { put(v, 2); }
    void u32(uint64_t v) { put(v, 4); }
    void u64(uint64_t v) { put(v, 8); }
    void i32(int32_t v) { put(uint32_t(v), 4); }
    void f32(double d) {
        float f = float(d);
        uint32_t u;
        std::memcpy(&u, &f, 4);
        put(u, 4);
    }
    void bytes(const void* p, size_t n) {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        buf.insert(buf.end(), b, b + n);
    }
    void patch(size_t at, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; ++i) buf[at + i] = uint8_t(v >> (8 * i));
    }
    [[noreturn]] void fail(const std::string& field, const std::string& msg) const {
        throw WeightFileError(name_, buf.size(), field, msg);
    }
    std::vector<uint8_t> buf;

private:
    void put(uint64_t v, size_t n) {
        for (size_t i = 0; i < n; ++i) buf.push_back(uint8_t(v >> (8 * i)));
    }
    std::string name_;
};

// How a record is written: the file version (2 adds weight_encoding and the SYQ factors) and,
// for version 2, the weights' encoding (0 packed, 1 rle, 2 huffman) and its delta_bits.
struct RecordFormat {
    uint16_t version = kWeightFileVersion;
    int encoding = 0;
    int delta_bits = 7;
};

// Appends one layer's record (a compute layer's, or a requantised add layer's) after checking P
// against L (weight_file_writer.cpp). Throws WeightFileError naming `name`.
void write_record(Writer& w, const LayerConfig& L, const LayerParams& P, const std::string& name,
                  const RecordFormat& fmt = {});

// ------------------------------------------------------------------------------------------
// Reading

class Reader {
public:
    Reader(const uint8_t* data, uint64_t size, std::string name, uint64_t payload_end)
        : data_(data), size_(size), name_(std::move(name)), end_(payload_end) {}
    Reader(const std::vector<uint8_t>& b, std::string name, uint64_t payload_end)
        : Reader(b.data(), b.size(), std::move(name), payload_end) {}

    uint64_t pos() const { return pos_; }
    void seek(uint64_t p) { pos_ = p; }
    // Version of the file being read: 2 adds weight_encoding and the SYQ scaling factors.
    uint16_t version = kWeightFileVersion;
    const std::string& name() const { return name_; }
    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }

    // Makes sure n bytes can be read at the current position.
    void need(uint64_t n, const std::string& field) const {
        const uint64_t size = size_;
        if (pos_ > end_ || end_ - pos_ < n)
            throw WeightFileError(
                name_, pos_, field,
                "expected " + std::to_string(n) + " bytes, but the payload declared in the header "
                "(header.payload_bytes) ends at @" + std::to_string(end_));
        if (pos_ > size || size - pos_ < n)
            throw WeightFileError(name_, pos_, field,
                                  "truncated: expected " + std::to_string(n) + " bytes, file ends at @" +
                                      std::to_string(size));
    }
    uint64_t uint(size_t n, const std::string& field) {
        need(n, field);
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= uint64_t(data_[pos_ + i]) << (8 * i);
        pos_ += n;
        return v;
    }
    uint8_t u8(const std::string& f) { return uint8_t(uint(1, f)); }
    uint16_t u16(const std::string& f) { return uint16_t(uint(2, f)); }
    uint32_t u32(const std::string& f) { return uint32_t(uint(4, f)); }
    uint64_t u64(const std::string& f) { return uint(8, f); }
    int32_t i32(const std::string& f) { return int32_t(uint32_t(uint(4, f))); }
    float f32(const std::string& f) {
        uint32_t u = u32(f);
        float v;
        std::memcpy(&v, &u, 4);
        return v;
    }
    const uint8_t* take(uint64_t n, const std::string& field) {
        need(n, field);
        const uint8_t* p = data_ + pos_;
        pos_ += n;
        return p;
    }
    [[noreturn]] void fail(uint64_t at, const std::string& field, const std::string& msg) const {
        throw WeightFileError(name_, at, field, msg);
    }

private:
    const uint8_t* data_;
    uint64_t size_;
    std::string name_;
    uint64_t end_;
    uint64_t pos_ = 0;
};

struct Header {
    uint16_t version = 0;
    uint16_t flags = 0;
    uint32_t layer_count = 0;
    uint64_t payload = 0;
};

// Magic, version and flags; throws on anything else than a version-1 or version-2 weight file
// header (weight_file_reader.cpp).
Header read_header(Reader& r);

// Where the header says the payload ends (the checksum's offset), kept clear of overflow for
// an absurd payload_bytes.
inline uint64_t payload_end_of(const Header& h) {
    return h.payload > std::numeric_limits<uint64_t>::max() - 64 ? std::numeric_limits<uint64_t>::max() - 8
                                                                 : kWeightFileHeaderBytes + h.payload;
}

// Parses one layer record (weight_file_reader.cpp). With `cfg` == nullptr only the structure
// is checked (used for truncated files and by the summary). Otherwise everything is validated
// against the config. With `packed_weights`, packed weights (or RCCM selects) are validated but
// not unpacked into `out`: the pointer is set to the record's packed codes instead.
void parse_record(Reader& r, size_t index, const LayerConfig* cfg, LayerParams* out,
                  WeightFileLayerInfo* info, const uint8_t** packed_weights = nullptr);

// For a file shorter than its header declares: walks the records to name the field where the
// data runs out. Always throws.
[[noreturn]] void report_truncation(Reader& r, const Header& h, uint64_t payload_end);

// The file, or its first `max_bytes`; throws WeightFileError when it cannot be opened or read.
std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes = UINT64_MAX);
// The checks made before a weight file is read: a regular file (not a directory, a device or a
// pipe), then, when it is at least a header long, its header (magic, version, flags) and a size
// no larger than the header declares. Returns the header, or nothing for a file shorter than
// one (left to the reader to report). Throws WeightFileError. With `file_size`, the size is
// stored there and a longer file than the header declares is left to the caller.
std::optional<Header> check_weight_file_before_reading(const std::string& path, uint64_t* file_size = nullptr);

// ------------------------------------------------------------------------------------------
// Run-length and Huffman coded ternary weights (weight_file_coded.cpp)

// The format of every record of a file: version 1 unless a layer is stored encoded (as
// `options` asks, ternary layers only) or has SYQ factors, then version 2 for every record.
std::vector<RecordFormat> record_formats(const NetworkConfig& cfg, const NetworkParams& params,
                                         const WeightFileOptions& options);

// Replaces the packed weights just written at `base` (preceded by their u64 size) with the
// encoded section of `fmt` (encoding 1 run-length, 2 Huffman). P.weights are valid ternary
// values (checked while packing).
void replace_with_coded_weights(Writer& w, size_t base, const LayerParams& P, int64_t n, int64_t fan_in,
                                const RecordFormat& fmt);

// Reads the encoded weight section of li.packed_bytes bytes at the reader's position (li has
// the record's fields up to it). Decodes the weights into `decode_into` when given, and with
// `summarize` sets li's ternary sizes; a stream error fails at its byte, field f.weights.
void read_coded_weights(Reader& r, const std::string& f, LayerParams* decode_into, bool summarize,
                        WeightFileLayerInfo& li);

// The ternary sizes of li for the summary from a layer's packed 2-bit codes (left unknown if a
// code is invalid).
void summarize_packed_ternary(const uint8_t* packed, WeightFileLayerInfo& li);

}  // namespace qsim::weight_file_detail
