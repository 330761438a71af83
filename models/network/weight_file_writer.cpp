// The weight-file writer's record level: the checks of one layer's parameters against its
// config, and the record itself (fields, packed weight codes, thresholds, the relu and RCCM
// tails, the SYQ factors of version 2; an add layer's record without weights) as
// docs/weights-format.md lays it out. The file level
// (header, checksum) is in weight_file.cpp, coded weights in weight_file_coded.cpp.
#include "models/network/weight_file_format.hpp"

namespace qsim::weight_file_detail {

namespace {

// The parameters of the requantisation: T thresholds a channel, or the relu bias, mul and shift.
void check_activation_params(const Writer& w, const LayerConfig& L, const LayerParams& P) {
    const std::string f = "layers[" + L.name + "]";
    const int64_t n = L.out.channels;
    const int T = L.thresholds_per_channel();
    if (P.thresholds.size() != uint64_t(n) * uint64_t(T))
        w.fail(f + ".thresholds", "expected " + std::to_string(uint64_t(n) * T) + " thresholds (" +
                                      std::to_string(T) + " per channel), params have " +
                                      std::to_string(P.thresholds.size()));
    if (L.activation.type == ActivationType::Relu) {
        if (P.bias.size() != uint64_t(n))
            w.fail(f + ".bias", "expected " + std::to_string(n) + " biases, params have " +
                                    std::to_string(P.bias.size()));
        if (P.mul < 1) w.fail(f + ".mul", "expected a multiplier >= 1, got " + std::to_string(P.mul));
        if (P.shift < 1 || P.shift > 31)
            w.fail(f + ".shift", "expected a shift in 1..31, got " + std::to_string(P.shift));
    }
}

// What write_record checks before it writes anything: widths, shapes and counts of P against
// L, the RCCM lambda, relu mul and shift. Fails at the record's start.
void check_record_params(const Writer& w, const LayerConfig& L, const LayerParams& P) {
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
    check_activation_params(w, L, P);
}

// An add layer's record (quant kAdder): its channels and the parameters of the unit after the adder.
void check_adder_params(const Writer& w, const LayerConfig& L, const LayerParams& P) {
    const std::string f = "layers[" + L.name + "]";
    if (L.name.size() > 0xFFFF) w.fail(f + ".name", "name longer than 65535 bytes");
    if (L.activation.bits < 0 || L.activation.bits > 255)
        w.fail(f + ".activation_bits", "does not fit a byte: " + std::to_string(L.activation.bits));
    if (L.activation.type == ActivationType::None)
        w.fail(f + ".activation", "an add layer without an activation has no parameters, so no record");
    if (L.out.channels < 1)
        w.fail(f + ".n", "N = " + std::to_string(L.out.channels) + " must be in 1..2^32-1");
    if (!P.weights.empty() || !P.selects.empty() || !P.scales.empty())
        w.fail(f + ".weights", "an add layer has no weights or scaling factors; params have " +
                                   std::to_string(P.weights.size() + P.selects.size() + P.scales.size()));
    check_activation_params(w, L, P);
}

// The requantisation after the accumulator or the adder: thresholds_per_channel, the thresholds
// (ascending within a channel) and the relu tail (bias, mul, shift).
void write_requantisation(Writer& w, const LayerConfig& L, const LayerParams& P, const std::string& f) {
    const int T = L.thresholds_per_channel();
    w.u32(uint32_t(T));
    for (size_t i = 0; i < P.thresholds.size(); ++i) {
        if (i % size_t(T) != 0 && P.thresholds[i] < P.thresholds[i - 1])
            w.fail(f + ".thresholds", "channel " + std::to_string(i / T) + ": threshold " +
                                          std::to_string(i % T) + " (" + std::to_string(P.thresholds[i]) +
                                          ") is below the previous one (" +
                                          std::to_string(P.thresholds[i - 1]) + "): expected ascending");
        w.i32(P.thresholds[i]);
    }
    if (L.activation.type == ActivationType::Relu) {
        for (int32_t b : P.bias) w.i32(b);
        w.i32(P.mul);
        w.i32(P.shift);
    }
}

// An add layer's record: no weights (quant kAdder, weight_bits 0, packed_bytes 0), fan_in = its
// inputs, then the requantisation as a compute layer's.
void write_adder_record(Writer& w, const LayerConfig& L, const LayerParams& P, const RecordFormat& fmt) {
    check_adder_params(w, L, P);
    const std::string f = "layers[" + L.name + "]";
    w.u16(L.name.size());
    w.bytes(L.name.data(), L.name.size());
    w.u8(uint64_t(kAdder));
    w.u8(0);
    w.f32(1.0);
    w.f32(0.0);
    w.u8(activation_code(L.activation.type));
    w.u8(L.activation.bits);
    w.u32(uint64_t(L.out.channels));
    w.u32(uint64_t(record_fan_in(L)));
    if (fmt.version >= kWeightFileVersionEncoded) w.u8(0);
    w.u64(0);
    write_requantisation(w, L, P, f);
    if (fmt.version >= kWeightFileVersionEncoded) w.u32(0);
}

}  // namespace

void write_record(Writer& w, const LayerConfig& L, const LayerParams& P, const std::string& name,
                  const RecordFormat& fmt) {
    if (L.type == LayerType::Add) return write_adder_record(w, L, P, fmt);
    check_record_params(w, L, P);
    const std::string f = "layers[" + L.name + "]";
    const int bits = storage_bits(L.weights);
    const bool rccm = L.weights.quant == WeightQuant::Rccm;
    const int64_t n = L.out.channels, fan_in = L.fan_in();
    const uint64_t count = uint64_t(n) * uint64_t(fan_in);

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
    // The values were checked while packing; a coded record stores them encoded instead.
    if (fmt.encoding != 0) replace_with_coded_weights(w, base, P, n, fan_in, fmt);
    write_requantisation(w, L, P, f);
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

}  // namespace qsim::weight_file_detail
