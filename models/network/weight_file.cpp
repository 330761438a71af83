#include "models/network/weight_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <sstream>

#include "models/decompressor/ternary_codec.hpp"
#include "models/network/weight_codes.hpp"

namespace qsim {

namespace {

const uint8_t kMagic[8] = {'Q', 'N', 'N', 'S', 'I', 'M', 'W', 0};

std::string hex32(uint32_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
    return os.str();
}

std::string escaped(const uint8_t* p, size_t n) {
    std::ostringstream os;
    os << '"';
    for (size_t i = 0; i < n; ++i) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') os << char(p[i]);
        else if (p[i] == 0) os << "\\0";
        else os << "\\x" << std::hex << std::setw(2) << std::setfill('0') << unsigned(p[i]) << std::dec;
    }
    os << '"';
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

constexpr int kRelu = 2;
constexpr int kRccm = 3;  // quant code of RCCM select indices; the record ends with lambda (u8)

// Storage bits of a weight as the file must hold them for this config.
int storage_bits(const WeightQuantConfig& q) {
    switch (q.quant) {
        case WeightQuant::Binary: return 1;
        case WeightQuant::Ternary: return 2;
        case WeightQuant::Uniform: return q.bits;
        case WeightQuant::Rccm: return q.bits;  // select bits: 4, 6, 8
    }
    return 0;
}

uint64_t packed_size(uint64_t count, int bits) { return (count * uint64_t(bits) + 7) / 8; }

std::vector<const LayerConfig*> compute_layers(const NetworkConfig& cfg) {
    std::vector<const LayerConfig*> v;
    for (const auto& l : cfg.layers)
        if (l.is_compute()) v.push_back(&l);
    return v;
}

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

// Magic, version and flags; throws on anything else than a version-1 weight file header.
Header read_header(Reader& r) {
    Header h;
    const uint8_t* magic = r.take(8, "header.magic");
    if (std::memcmp(magic, kMagic, 8) != 0)
        r.fail(0, "header.magic", "expected \"QNNSIMW\\0\" (not a QNN weight file), file has " +
                                      escaped(magic, 8));
    h.version = r.u16("header.version");
    if (h.version != kWeightFileVersion && h.version != kWeightFileVersionEncoded)
        r.fail(8, "header.version", "unsupported version " + std::to_string(h.version) + ": expected " +
                                        std::to_string(kWeightFileVersion) + " or " +
                                        std::to_string(kWeightFileVersionEncoded));
    h.flags = r.u16("header.flags");
    if (h.flags != 0)
        r.fail(10, "header.flags", "expected 0 (no flags are defined), file has " + std::to_string(h.flags));
    h.layer_count = r.u32("header.layer_count");
    h.payload = r.u64("header.payload_bytes");
    return h;
}

std::string mismatch(const std::string& expected, const std::string& got) {
    return "expected " + expected + " (from config), file has " + got;
}

// An RCCM layer's requantisation works on lambda x acc, up to 255 times wider than the
// accumulator the loader bounds below 2^31: (max|lambda acc| + max|bias|) * mul + 2^(shift-1)
// must stay below 2^63 so that the 64-bit requantisation cannot overflow.
void check_rccm_relu_range(const Reader& r, uint64_t at, const std::string& f, const LayerConfig& cfg,
                           const WeightFileLayerInfo& li, const LayerParams* out) {
    const __int128 acc = __int128(cfg.fan_in()) * cfg.max_abs_weight() * cfg.max_abs_input() * li.lambda;
    __int128 bias = 0;
    if (out)
        for (int32_t b : out->bias) bias = std::max<__int128>(bias, b < 0 ? -__int128(b) : __int128(b));
    const __int128 worst = (acc + bias) * li.mul + (__int128(1) << (li.shift - 1));
    if (worst >= (__int128(1) << 63))
        r.fail(at, f + ".lambda",
               "lambda " + std::to_string(li.lambda) + " x the largest accumulator, plus the bias, times mul " +
                   std::to_string(li.mul) + " can exceed 64 bits; use a smaller lambda or mul");
}

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

// Parses one layer record. With `cfg` == nullptr only the structure is checked (used for
// truncated files and by summarize). Otherwise everything is validated against the config.
// With `packed_weights`, packed weights (or RCCM selects) are validated but not unpacked into
// `out`: the pointer is set to the record's packed codes instead.
void parse_record(Reader& r, size_t index, const LayerConfig* cfg, LayerParams* out,
                  WeightFileLayerInfo* info, const uint8_t** packed_weights = nullptr) {
    WeightFileLayerInfo li;
    li.offset = r.pos();
    const std::string idx = "layers[" + std::to_string(index) + "]";
    const uint16_t name_len = r.u16(idx + ".name_length");
    const uint64_t name_off = r.pos();
    const uint8_t* name_p = r.take(name_len, idx + ".name");
    li.name.assign(reinterpret_cast<const char*>(name_p), name_len);
    if (cfg && li.name != cfg->name)
        r.fail(name_off, idx + ".name",
               "expected '" + cfg->name + "' (compute layer " + std::to_string(index) +
                   " of the config), file has '" + li.name + "'");
    const std::string f = "layers[" + (cfg ? cfg->name : li.name) + "]";

    uint64_t at = r.pos();
    li.quant = r.u8(f + ".quant");
    if (li.quant > 3)
        r.fail(at, f + ".quant", "invalid code " + std::to_string(li.quant) +
                                     ": expected 0 (binary), 1 (ternary), 2 (uniform) or 3 (rccm)");
    if (cfg && li.quant != quant_code(cfg->weights.quant))
        r.fail(at, f + ".quant",
               mismatch(to_string(cfg->weights.quant), weight_quant_code_name(li.quant)));
    at = r.pos();
    li.weight_bits = r.u8(f + ".weight_bits");
    {
        const bool valid = (li.quant == 0 && li.weight_bits == 1) || (li.quant == 1 && li.weight_bits == 2) ||
                           (li.quant == 2 && li.weight_bits >= 2 && li.weight_bits <= 8) ||
                           (li.quant == kRccm && (li.weight_bits == 4 || li.weight_bits == 6 || li.weight_bits == 8));
        if (cfg && li.weight_bits != storage_bits(cfg->weights))
            r.fail(at, f + ".weight_bits",
                   mismatch(std::to_string(storage_bits(cfg->weights)), std::to_string(li.weight_bits)));
        if (!valid)
            r.fail(at, f + ".weight_bits",
                   "invalid width " + std::to_string(li.weight_bits) + " for " +
                       weight_quant_code_name(li.quant) +
                       " weights: expected 1 (binary), 2 (ternary), 2..8 (uniform) or 4, 6, 8 (rccm)");
    }
    li.scale = r.f32(f + ".scale");
    li.ternary_threshold = r.f32(f + ".ternary_threshold");
    at = r.pos();
    li.activation = r.u8(f + ".activation");
    if (li.activation > 3)
        r.fail(at, f + ".activation",
               "invalid code " + std::to_string(li.activation) +
                   ": expected 0 (thresholds), 1 (bipolar), 2 (relu) or 3 (none)");
    if (cfg && li.activation != activation_code(cfg->activation.type))
        r.fail(at, f + ".activation",
               mismatch(to_string(cfg->activation.type), activation_code_name(li.activation)));
    at = r.pos();
    li.activation_bits = r.u8(f + ".activation_bits");
    if (cfg && li.activation_bits != cfg->activation.bits)
        r.fail(at, f + ".activation_bits",
               mismatch(std::to_string(cfg->activation.bits), std::to_string(li.activation_bits)));
    at = r.pos();
    li.n = r.u32(f + ".n");
    if (cfg && int64_t(li.n) != cfg->out.channels)
        r.fail(at, f + ".n", mismatch(std::to_string(cfg->out.channels), std::to_string(li.n)));
    at = r.pos();
    li.fan_in = r.u32(f + ".fan_in");
    if (cfg && int64_t(li.fan_in) != cfg->fan_in())
        r.fail(at, f + ".fan_in", mismatch(std::to_string(cfg->fan_in()), std::to_string(li.fan_in)));
    if (r.version >= kWeightFileVersionEncoded) {
        // Version 2: how the weights are stored (docs/weights-format.md, "Encoded weights").
        at = r.pos();
        li.weight_encoding = r.u8(f + ".weight_encoding");
        if (li.weight_encoding > 2)
            r.fail(at, f + ".weight_encoding", "invalid code " + std::to_string(li.weight_encoding) +
                                                   ": expected 0 (packed), 1 (rle) or 2 (huffman)");
        if (li.weight_encoding != 0 && li.quant != 1)
            r.fail(at, f + ".weight_encoding", std::string("run-length and Huffman coding store ternary weights; ") +
                                                   "this layer's are " + weight_quant_code_name(li.quant));
    }
    at = r.pos();
    li.packed_bytes = r.u64(f + (li.weight_encoding ? ".weight_bytes" : ".packed_bytes"));
    const uint64_t count = uint64_t(li.n) * li.fan_in;
    const uint64_t want_packed = packed_size(count, li.weight_bits);
    if (li.weight_encoding != 0) {
        const uint64_t enc_off = r.pos();
        const uint8_t* enc = r.take(li.packed_bytes, f + ".weights");
        try {
            const WeightEncoding e = li.weight_encoding == 1 ? WeightEncoding::RunLength : WeightEncoding::Huffman;
            const EncodedWeights ew = parse_encoded(enc, li.packed_bytes, e, li.n, li.fan_in);
            li.delta_bits = ew.delta_bits;
            li.nonzeros = ew.nonzeros;
            if (cfg && out) out->weights = decode_ternary(ew);
            // The summary decodes the weights only where the stream could hold them (a density
            // of at least 1 in 64 bits, at most 2^30 weights): a damaged header cannot make it
            // allocate more than the file justifies.
            if (!cfg && info && count <= (uint64_t(1) << 30) && count / 64 <= ew.stream_bits)
                summarize_ternary(decode_ternary(ew), li);
        } catch (const CodecError& err) {
            r.fail(enc_off + err.offset(), f + ".weights", err.message());
        }
    } else if (cfg && li.packed_bytes != want_packed)
        r.fail(at, f + ".packed_bytes",
               "expected " + std::to_string(want_packed) + " (N * fan_in * " +
                   std::to_string(li.weight_bits) + " bits, rounded up to bytes), file has " +
                   std::to_string(li.packed_bytes));
    const uint64_t packed_off = r.pos();
    const uint8_t* packed = li.weight_encoding ? nullptr : r.take(li.packed_bytes, f + ".weights");
    if (!cfg && info && !li.weight_encoding && li.quant == 1 && li.weight_bits == 2 && li.packed_bytes == want_packed) {
        // Packed ternary codes: 01 = +1, 11 = -1, 00 = 0 (a 10 leaves the sizes unknown).
        std::vector<int8_t> w(count);
        if (unpack_weight_codes(packed, count, 1, 2, w.data()) == count) summarize_ternary(w, li);
    }
    if (li.weight_encoding) {
        // decoded above
    } else if (cfg && out) {
        const int bits = li.weight_bits;
        uint64_t k = count;
        if (packed_weights) {
            // Left packed for the caller: only checked here.
            *packed_weights = packed;
            k = first_invalid_weight_code(packed, count, li.quant, bits);
        } else if (li.quant == kRccm) {
            // Select indices: every code of the circuit is a valid weight.
            out->selects.resize(count);
            unpack_weight_codes(packed, count, li.quant, bits, reinterpret_cast<int8_t*>(out->selects.data()));
        } else {
            out->weights.resize(count);
            k = unpack_weight_codes(packed, count, li.quant, bits, out->weights.data());
        }
        if (k < count) {
            const uint64_t bit = k * uint64_t(bits);
            const uint64_t byte = bit / 8;
            const unsigned sh = unsigned(bit % 8);
            const uint32_t c = weight_code_at(packed, k, bits);
            std::ostringstream m;
            m << "invalid code ";
            for (int i = bits - 1; i >= 0; --i) m << ((c >> i) & 1);
            m << " for weight " << k << " (channel " << k / li.fan_in << ", synapse " << k % li.fan_in
              << ", bit " << sh << " of this byte): expected "
              << (li.quant == 1 ? "01 (+1), 11 (-1) or 00 (0)"
                                : "a value in [-" + std::to_string((1 << (bits - 1)) - 1) + ", " +
                                      std::to_string((1 << (bits - 1)) - 1) + "] (the code -" +
                                      std::to_string(1 << (bits - 1)) + " is outside the symmetric range)");
            r.fail(packed_off + byte, f + ".weights", m.str());
        }
        const uint64_t used_bits = count * uint64_t(bits);
        if (used_bits % 8 != 0 && li.packed_bytes > 0) {
            const uint8_t last = packed[li.packed_bytes - 1];
            if (last >> (used_bits % 8))
                r.fail(packed_off + li.packed_bytes - 1, f + ".weights",
                       "padding bits after the last weight must be 0, last byte is " +
                           std::to_string(last));
        }
    }

    at = r.pos();
    li.thresholds_per_channel = r.u32(f + ".thresholds_per_channel");
    if (cfg && int64_t(li.thresholds_per_channel) != cfg->thresholds_per_channel())
        r.fail(at, f + ".thresholds_per_channel",
               mismatch(std::to_string(cfg->thresholds_per_channel()),
                        std::to_string(li.thresholds_per_channel)));
    const uint64_t tcount = uint64_t(li.n) * li.thresholds_per_channel;
    if (tcount > std::numeric_limits<uint64_t>::max() / 4)
        r.fail(at, f + ".thresholds_per_channel", "threshold count overflows");
    const uint64_t thr_off = r.pos();
    const uint8_t* thr = r.take(tcount * 4, f + ".thresholds");
    if (cfg && out) {
        const uint32_t T = li.thresholds_per_channel;
        out->thresholds.resize(tcount);
        for (uint64_t i = 0; i < tcount; ++i) {
            const uint8_t* p = thr + 4 * i;
            out->thresholds[i] =
                int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
            if (i % T != 0 && out->thresholds[i] < out->thresholds[i - 1])
                r.fail(thr_off + 4 * i, f + ".thresholds",
                       "channel " + std::to_string(i / T) + ": threshold " + std::to_string(i % T) +
                           " (" + std::to_string(out->thresholds[i]) + ") is below threshold " +
                           std::to_string(i % T - 1) + " (" + std::to_string(out->thresholds[i - 1]) +
                           "): expected ascending thresholds");
        }
    }

    if (li.activation == kRelu) {
        const uint8_t* bias = r.take(uint64_t(li.n) * 4, f + ".bias");
        if (cfg && out) {
            out->bias.resize(li.n);
            for (uint32_t i = 0; i < li.n; ++i) {
                const uint8_t* p = bias + 4 * i;
                out->bias[i] = int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
                                       uint32_t(p[3]) << 24);
            }
        }
        at = r.pos();
        li.mul = r.i32(f + ".mul");
        if (cfg && li.mul < 1)
            r.fail(at, f + ".mul", "expected a multiplier >= 1, file has " + std::to_string(li.mul));
        at = r.pos();
        li.shift = r.i32(f + ".shift");
        if (cfg && (li.shift < 1 || li.shift > 31))
            r.fail(at, f + ".shift", "expected a shift in 1..31, file has " + std::to_string(li.shift));
        if (out) {
            out->mul = li.mul;
            out->shift = li.shift;
        }
    }
    if (li.quant == kRccm) {
        at = r.pos();
        li.lambda = r.u8(f + ".lambda");
        if (li.lambda < 1) r.fail(at, f + ".lambda", "expected an 8-bit scale 1..255, file has 0");
        if (cfg && li.activation == kRelu) check_rccm_relu_range(r, at, f, *cfg, li, out);
        if (out) out->lambda = li.lambda;
    }
    if (r.version >= kWeightFileVersionEncoded) {
        // Version 2: the SYQ row / pixel scaling factors (none for layer-wise scaling).
        at = r.pos();
        li.scale_count = r.u32(f + ".scale_count");
        if (cfg && int64_t(li.scale_count) != cfg->scaling_factors())
            r.fail(at, f + ".scale_count",
                   mismatch(std::to_string(cfg->scaling_factors()) + " (scaling " +
                                (cfg->scaling_factors() ? std::to_string(cfg->scaling_factors()) + " factors"
                                                        : std::string("layer-wise")) + ")",
                            std::to_string(li.scale_count)));
        const uint64_t sc_off = r.pos();
        r.take(uint64_t(li.scale_count) * 4, f + ".scales");
        if (cfg && out) {
            const int64_t max = (int64_t(1) << cfg->scaling.bits) - 1;
            out->scales.clear();
            for (uint32_t i = 0; i < li.scale_count; ++i) {
                Reader v(r.data(), r.size(), r.name(), sc_off + 4 * uint64_t(i) + 4);
                v.seek(sc_off + 4 * uint64_t(i));
                const int32_t x = v.i32(f + ".scales");
                if (x < 1 || x > max)
                    r.fail(sc_off + 4 * uint64_t(i), f + ".scales",
                           "factor " + std::to_string(i) + " = " + std::to_string(x) + ": expected 1.." +
                               std::to_string(max) + " (" + std::to_string(cfg->scaling.bits) + "-bit codes)");
                out->scales.push_back(x);
            }
        }
    }
    if (out) out->layer = li.name;
    li.record_bytes = r.pos() - li.offset;
    if (info) *info = li;
}

// For a file shorter than its header declares: walks the records to name the field where the
// data runs out. Always throws.
[[noreturn]] void report_truncation(Reader& r, const Header& h, uint64_t payload_end) {
    for (uint32_t i = 0; i < h.layer_count; ++i) parse_record(r, i, nullptr, nullptr, nullptr);
    if (r.pos() < payload_end) r.need(payload_end - r.pos(), "payload");
    Reader trailer(r.data(), r.size(), r.name(), std::numeric_limits<uint64_t>::max());
    trailer.seek(payload_end);
    trailer.need(kWeightFileTrailerBytes, "checksum");
    r.fail(payload_end, "checksum", "truncated");  // not reached
}

}  // namespace

// ------------------------------------------------------------------------------------------

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
    static const auto table = [] {
        std::vector<uint32_t> t(256);
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

const char* weight_quant_code_name(int code) {
    switch (code) {
        case 0: return "binary";
        case 1: return "ternary";
        case 2: return "uniform";
        case 3: return "rccm";
    }
    return "invalid";
}

const char* activation_code_name(int code) {
    switch (code) {
        case 0: return "thresholds";
        case 1: return "bipolar";
        case 2: return "relu";
        case 3: return "none";
    }
    return "invalid";
}

namespace {

// How a record is written: the file version (2 adds weight_encoding and the SYQ factors) and,
// for version 2, the weights' encoding (0 packed, 1 rle, 2 huffman) and its delta_bits.
struct RecordFormat {
    uint16_t version = kWeightFileVersion;
    int encoding = 0;
    int delta_bits = 7;
};

// Appends one compute layer's record (layout in docs/weights-format.md).
void write_record(Writer& w, const LayerConfig& L, const LayerParams& P, const std::string& name,
                  const RecordFormat& fmt = {}) {
    const std::string f = "layers[" + L.name + "]";
    if (L.name.size() > 0xFFFF) w.fail(f + ".name", "name longer than 65535 bytes");
    const int bits = storage_bits(L.weights);
    if (L.weights.quant == WeightQuant::Uniform && (bits < 2 || bits > 8))
        w.fail(f + ".weight_bits", "uniform weights need 2..8 bits, config has " + std::to_string(bits));
    const bool rccm = L.weights.quant == WeightQuant::Rccm;
    if (rccm && bits != rccm_select_bits(L.weights.rccm))
        w.fail(f + ".weight_bits", std::string(rccm_name(L.weights.rccm)) + " select indices have " +
                                       std::to_string(rccm_select_bits(L.weights.rccm)) + " bits, config has " +
                                       std::to_string(bits));
    if (rccm && (P.lambda < 1 || P.lambda > 255))
        w.fail(f + ".lambda", "expected an 8-bit scale 1..255, got " + std::to_string(P.lambda));
    if (L.activation.bits < 0 || L.activation.bits > 255)
        w.fail(f + ".activation_bits", "does not fit a byte: " + std::to_string(L.activation.bits));
    const int64_t n = L.out.channels, fan_in = L.fan_in();
    if (n < 1 || fan_in < 1 || n > 0xFFFFFFFFll || fan_in > 0xFFFFFFFFll)
        w.fail(f + ".n", "N = " + std::to_string(n) + " and fan_in = " + std::to_string(fan_in) +
                             " must be in 1..2^32-1");
    const uint64_t count = uint64_t(n) * uint64_t(fan_in);
    if ((rccm ? P.selects.size() : P.weights.size()) != count)
        w.fail(f + ".weights", "expected " + std::to_string(count) + (rccm ? " select indices" : " weights") +
                                   " (N " + std::to_string(n) + " * fan_in " + std::to_string(fan_in) +
                                   "), params have " +
                                   std::to_string(rccm ? P.selects.size() : P.weights.size()));
    const int T = L.thresholds_per_channel();
    const bool relu = L.activation.type == ActivationType::Relu;
    if (P.thresholds.size() != uint64_t(n) * uint64_t(T))
        w.fail(f + ".thresholds", "expected " + std::to_string(uint64_t(n) * T) + " thresholds (" +
                                      std::to_string(T) + " per channel), params have " +
                                      std::to_string(P.thresholds.size()));
    if (relu) {
        if (P.bias.size() != uint64_t(n))
            w.fail(f + ".bias", "expected " + std::to_string(n) + " biases, params have " +
                                    std::to_string(P.bias.size()));
        if (P.mul < 1) w.fail(f + ".mul", "expected a multiplier >= 1, got " + std::to_string(P.mul));
        if (P.shift < 1 || P.shift > 31)
            w.fail(f + ".shift", "expected a shift in 1..31, got " + std::to_string(P.shift));
    }

    w.u16(L.name.size());
    w.bytes(L.name.data(), L.name.size());
    w.u8(quant_code(L.weights.quant));
    w.u8(bits);
    w.f32(L.weights.scale);
    w.f32(L.weights.threshold);
    w.u8(activation_code(L.activation.type));
    w.u8(L.activation.bits);
    w.u32(n);
    w.u32(fan_in);
    if (fmt.version >= kWeightFileVersionEncoded) w.u8(uint64_t(fmt.encoding));
    const uint64_t nbytes = packed_size(count, bits);
    w.u64(nbytes);
    const size_t base = w.buf.size();
    w.buf.resize(base + nbytes, 0);
    const int maxv = L.weights.quant == WeightQuant::Uniform ? (1 << (bits - 1)) - 1 : 1;
    for (uint64_t k = 0; rccm && k < count; ++k) {
        const uint32_t c = P.selects[k];
        if (c >> bits)
            throw WeightFileError(name, base + k * bits / 8, f + ".weights",
                                  "select index " + std::to_string(k) + " = " + std::to_string(c) + " does not fit " +
                                      std::to_string(bits) + " bits");
        const uint64_t bit = k * uint64_t(bits);
        const unsigned sh = unsigned(bit % 8);
        w.buf[base + bit / 8] |= uint8_t(c << sh);
        if (sh + unsigned(bits) > 8) w.buf[base + bit / 8 + 1] |= uint8_t(c >> (8 - sh));
    }
    uint64_t packed = 0;  // weights already packed by the fast path
    if (!rccm && L.weights.quant == WeightQuant::Binary && bits == 1) {
        // Eight binary weights a byte; at an invalid one the loop below takes over and reports it.
        const int8_t* v = P.weights.data();
        for (; packed + 8 <= count; packed += 8) {
            uint8_t byte = 0;
            bool ok = true;
            for (unsigned j = 0; j < 8; ++j) {
                const int8_t x = v[packed + j];
                ok &= (x == 1) | (x == -1);
                byte |= uint8_t(uint8_t(x > 0) << j);
            }
            if (!ok) break;
            w.buf[base + packed / 8] = byte;
        }
    }
    for (uint64_t k = packed; !rccm && k < count; ++k) {
        const int v = P.weights[k];
        const bool ok = L.weights.quant == WeightQuant::Binary ? (v == 1 || v == -1)
                                                               : (v >= -maxv && v <= maxv);
        if (!ok)
            throw WeightFileError(name, base + k * bits / 8, f + ".weights",
                                  "weight " + std::to_string(k) + " = " + std::to_string(v) +
                                      " is not a valid " + to_string(L.weights.quant) + " " +
                                      std::to_string(bits) + "-bit value");
        uint32_t c = L.weights.quant == WeightQuant::Binary ? (v > 0 ? 1u : 0u)
                                                            : uint32_t(v) & ((1u << bits) - 1);
        const uint64_t bit = k * uint64_t(bits);
        const unsigned sh = unsigned(bit % 8);
        w.buf[base + bit / 8] |= uint8_t(c << sh);
        if (sh + unsigned(bits) > 8) w.buf[base + bit / 8 + 1] |= uint8_t(c >> (8 - sh));
    }
    if (fmt.encoding != 0) {
        // The values were checked while packing; store them encoded instead (replacing the
        // packed_bytes field and the packed weights).
        w.buf.resize(base - 8);
        const EncodedWeights e = encode_ternary(P.weights.data(), n, fan_in,
                                                fmt.encoding == 1 ? WeightEncoding::RunLength : WeightEncoding::Huffman,
                                                fmt.delta_bits);
        const std::vector<uint8_t> section = serialize_encoded(e);
        w.u64(section.size());
        w.bytes(section.data(), section.size());
    }
    w.u32(uint32_t(T));
    for (size_t i = 0; i < P.thresholds.size(); ++i) {
        if (i % size_t(T) != 0 && P.thresholds[i] < P.thresholds[i - 1])
            w.fail(f + ".thresholds", "channel " + std::to_string(i / T) + ": threshold " +
                                          std::to_string(i % T) + " (" + std::to_string(P.thresholds[i]) +
                                          ") is below the previous one (" +
                                          std::to_string(P.thresholds[i - 1]) + "): expected ascending");
        w.i32(P.thresholds[i]);
    }
    if (relu) {
        for (int32_t b : P.bias) w.i32(b);
        w.i32(P.mul);
        w.i32(P.shift);
    }
    if (rccm) w.u8(uint64_t(P.lambda));
    if (int64_t(P.scales.size()) != L.scaling_factors())
        w.fail(f + ".scales", "expected " + std::to_string(L.scaling_factors()) + " SYQ scaling factors, params have " +
                                  std::to_string(P.scales.size()));
    if (fmt.version >= kWeightFileVersionEncoded) {
        w.u32(P.scales.size());
        const int64_t max = (int64_t(1) << L.scaling.bits) - 1;
        for (int32_t x : P.scales) {
            if (x < 1 || x > max)
                w.fail(f + ".scales", "factor " + std::to_string(x) + " outside 1.." + std::to_string(max));
            w.i32(x);
        }
    } else if (!P.scales.empty()) {
        w.fail(f + ".scales", "SYQ scaling factors need a version-2 record");
    }
}

}  // namespace

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
    const auto layers = compute_layers(cfg);
    // Version 1 unless a layer is stored encoded or has SYQ factors (version 2).
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
    w.bytes(kMagic, 8);
    w.u16(version);
    w.u16(0);
    w.u32(layers.size());
    w.u64(0);  // payload bytes, patched below

    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        if (!cfg.layers[l].is_compute()) continue;
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
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw WeightFileError(path, 0, "file", std::string("cannot create: ") + std::strerror(errno));
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    out.close();
    if (!out) throw WeightFileError(path, 0, "file", "write error");
}

NetworkParams decode_weight_file(const std::vector<uint8_t>& bytes, const NetworkConfig& cfg,
                                 const std::string& name) {
    Reader r(bytes, name, kWeightFileHeaderBytes);
    const Header h = read_header(r);
    const uint64_t size = bytes.size();
    const uint64_t payload_end =
        h.payload > std::numeric_limits<uint64_t>::max() - 64 ? std::numeric_limits<uint64_t>::max() - 8
                                                              : kWeightFileHeaderBytes + h.payload;
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

    const auto layers = compute_layers(cfg);
    if (h.layer_count != layers.size())
        throw WeightFileError(name, 12, "header.layer_count",
                              "expected " + std::to_string(layers.size()) +
                                  " (compute layers in config), file has " + std::to_string(h.layer_count));
    NetworkParams params;
    params.layers.resize(cfg.layers.size());
    size_t i = 0;
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        if (!cfg.layers[l].is_compute()) continue;
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
std::vector<uint8_t> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw WeightFileError(path, 0, "file", std::string("cannot open: ") + std::strerror(errno));
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw WeightFileError(path, bytes.size(), "file", "read error");
    return bytes;
}
}  // namespace

NetworkParams read_weight_file(const std::string& path, const NetworkConfig& cfg) {
    return decode_weight_file(slurp(path), cfg, path);
}

WeightFileSummary summarize_weight_file(const std::string& path) {
    const std::vector<uint8_t> bytes = slurp(path);
    WeightFileSummary s;
    s.file = path;
    s.file_bytes = bytes.size();
    Reader r(bytes, path, kWeightFileHeaderBytes);
    const Header h = read_header(r);
    s.version = h.version;
    s.flags = h.flags;
    s.layer_count = h.layer_count;
    s.payload_bytes = h.payload;
    const uint64_t payload_end =
        h.payload > std::numeric_limits<uint64_t>::max() - 64 ? std::numeric_limits<uint64_t>::max() - 8
                                                              : kWeightFileHeaderBytes + h.payload;
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
        if (bytes.size() > payload_end + kWeightFileTrailerBytes)
            throw WeightFileError(path, payload_end + kWeightFileTrailerBytes, "trailer",
                                  "trailing data: " +
                                      std::to_string(bytes.size() - payload_end - kWeightFileTrailerBytes) +
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
        std::ostringstream q;
        q << weight_quant_code_name(l.quant) << ' ' << l.weight_bits << 'b';
        if (l.quant == 1) q << " eta=" << l.ternary_threshold;
        if (l.quant == 2) q << " s=" << l.scale;
        if (l.quant == kRccm) q << " l=" << l.lambda;
        std::ostringstream a;
        a << activation_code_name(l.activation) << ' ' << l.activation_bits << 'b';
        if (l.activation == 2) a << " *" << l.mul << ">>" << l.shift;
        const uint64_t count = uint64_t(l.n) * l.fan_in;
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

namespace qsim {

std::vector<uint8_t> encode_layer_record(const LayerConfig& layer, const LayerParams& params, const std::string& name) {
    Writer w(name);
    write_record(w, layer, params, name);
    return std::move(w.buf);
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
