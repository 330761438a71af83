// The weight-file reader's record level: the header, one layer record field by field (checked
// against the layer's config, or for structure only), the packed weight codes, and the walk
// that names the field where a truncated file runs out (docs/weights-format.md, "Validation
// and error messages"). The file level (size, checksum, layer count) is in weight_file.cpp,
// coded weights in weight_file_coded.cpp.
#include <algorithm>
#include <iomanip>
#include <limits>
#include <sstream>

#include "models/network/weight_codes.hpp"
#include "models/network/weight_file_format.hpp"

namespace qsim::weight_file_detail {

namespace {

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

// The packed weights of a record read against its config (`packed` at file offset
// `packed_off`): unpacked into out.weights (RCCM: out.selects), or with `packed_weights` only
// checked and left where they are. Fails at the byte of the first invalid code or at non-zero
// padding bits.
void read_packed_weights(const Reader& r, uint64_t packed_off, const uint8_t* packed, const std::string& f,
                         const WeightFileLayerInfo& li, LayerParams& out, const uint8_t** packed_weights) {
    const uint64_t count = uint64_t(li.n) * li.fan_in;
    const int bits = li.weight_bits;
    uint64_t k = count;
    if (packed_weights) {
        // Left packed for the caller: only checked here.
        *packed_weights = packed;
        k = first_invalid_weight_code(packed, count, li.quant, bits);
    } else if (li.quant == kRccm) {
        // Select indices: every code of the circuit is a valid weight.
        out.selects.resize(count);
        unpack_weight_codes(packed, count, li.quant, bits, reinterpret_cast<int8_t*>(out.selects.data()));
    } else {
        out.weights.resize(count);
        k = unpack_weight_codes(packed, count, li.quant, bits, out.weights.data());
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
                   "padding bits after the last weight must be 0, last byte is " + std::to_string(last));
    }
}

}  // namespace

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

void parse_record(Reader& r, size_t index, const LayerConfig* cfg, LayerParams* out,
                  WeightFileLayerInfo* info, const uint8_t** packed_weights) {
    WeightFileLayerInfo li;
    li.offset = r.pos();
    const std::string idx = "layers[" + std::to_string(index) + "]";
    const uint16_t name_len = r.u16(idx + ".name_length");
    const uint64_t name_off = r.pos();
    const uint8_t* name_p = r.take(name_len, idx + ".name");
    li.name.assign(reinterpret_cast<const char*>(name_p), name_len);
    if (cfg && li.name != cfg->name)
        r.fail(name_off, idx + ".name",
               "expected '" + cfg->name + "' (record " + std::to_string(index) +
                   ": the config's compute and requantised add layers in order), file has '" + li.name + "'");
    const std::string f = "layers[" + (cfg ? cfg->name : li.name) + "]";

    uint64_t at = r.pos();
    li.quant = r.u8(f + ".quant");
    if (li.quant > kAdder)
        r.fail(at, f + ".quant", "invalid code " + std::to_string(li.quant) +
                                     ": expected 0 (binary), 1 (ternary), 2 (uniform), 3 (rccm) or 4 (adder)");
    if (cfg && li.quant != record_quant_code(*cfg))
        r.fail(at, f + ".quant",
               mismatch(cfg->is_compute() ? to_string(cfg->weights.quant) : "adder (an add layer)",
                        weight_quant_code_name(li.quant)));
    const bool adder = li.quant == kAdder;
    at = r.pos();
    li.weight_bits = r.u8(f + ".weight_bits");
    {
        const bool valid = (li.quant == 0 && li.weight_bits == 1) || (li.quant == 1 && li.weight_bits == 2) ||
                           (li.quant == 2 && li.weight_bits >= 2 && li.weight_bits <= 8) ||
                           (li.quant == kRccm && (li.weight_bits == 4 || li.weight_bits == 6 || li.weight_bits == 8)) ||
                           (adder && li.weight_bits == 0);
        if (cfg && li.weight_bits != record_weight_bits(*cfg))
            r.fail(at, f + ".weight_bits",
                   mismatch(std::to_string(record_weight_bits(*cfg)), std::to_string(li.weight_bits)));
        if (!valid)
            r.fail(at, f + ".weight_bits",
                   "invalid width " + std::to_string(li.weight_bits) + " for " +
                       weight_quant_code_name(li.quant) +
                       " weights: expected 1 (binary), 2 (ternary), 2..8 (uniform), 4, 6, 8 (rccm) or 0 (adder)");
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
    if (adder && li.activation == activation_code(ActivationType::None))
        r.fail(at, f + ".activation",
               "an adder record holds the requantisation of the sum: expected 0 (thresholds), 1 (bipolar) or 2 "
               "(relu), file has 3 (none)");
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
    if (cfg && int64_t(li.fan_in) != record_fan_in(*cfg))
        r.fail(at, f + ".fan_in",
               mismatch(std::to_string(record_fan_in(*cfg)) + (adder ? " inputs" : ""), std::to_string(li.fan_in)));
    if (adder && li.fan_in != 2)
        r.fail(at, f + ".fan_in",
               "an adder record's fan_in is the add layer's inputs: expected 2, file has " + std::to_string(li.fan_in));
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
    const uint64_t want_packed = packed_size(uint64_t(li.n) * li.fan_in, li.weight_bits);
    if (adder && li.packed_bytes != 0)
        r.fail(at, f + ".packed_bytes",
               "expected 0 (an adder record has no weights), file has " + std::to_string(li.packed_bytes));
    if (li.weight_encoding != 0)
        read_coded_weights(r, f, cfg ? out : nullptr, !cfg && info, li);
    else if (cfg && li.packed_bytes != want_packed)
        r.fail(at, f + ".packed_bytes",
               "expected " + std::to_string(want_packed) + " (N * fan_in * " +
                   std::to_string(li.weight_bits) + " bits, rounded up to bytes), file has " +
                   std::to_string(li.packed_bytes));
    const uint64_t packed_off = r.pos();
    const uint8_t* packed = li.weight_encoding ? nullptr : r.take(li.packed_bytes, f + ".weights");
    if (!cfg && info && !li.weight_encoding && li.quant == 1 && li.weight_bits == 2 && li.packed_bytes == want_packed)
        summarize_packed_ternary(packed, li);
    if (!li.weight_encoding && !adder && cfg && out) read_packed_weights(r, packed_off, packed, f, li, *out, packed_weights);

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

[[noreturn]] void report_truncation(Reader& r, const Header& h, uint64_t payload_end) {
    for (uint32_t i = 0; i < h.layer_count; ++i) parse_record(r, i, nullptr, nullptr, nullptr);
    if (r.pos() < payload_end) r.need(payload_end - r.pos(), "payload");
    Reader trailer(r.data(), r.size(), r.name(), std::numeric_limits<uint64_t>::max());
    trailer.seek(payload_end);
    trailer.need(kWeightFileTrailerBytes, "checksum");
    r.fail(payload_end, "checksum", "truncated");  // not reached
}

}  // namespace qsim::weight_file_detail
