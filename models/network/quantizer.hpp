// Float -> integer weight quantisers, used to import trained float weights
// (qnn-weights from-npy). The integer codes follow the conventions of types.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "models/network/network_config.hpp"

namespace qsim {

// Largest weight magnitude of a symmetric b-bit uniform quantiser: 2^(b-1) - 1.
inline int uniform_weight_max(int bits) { return (1 << (bits - 1)) - 1; }

// One weight:
//   Binary : sign, w >= 0 -> +1, w < 0 -> -1.
//   Ternary: +1 if w > eta, -1 if w < -eta, else 0 (eq. 4.2, eta = q.threshold).
//   Uniform: round-half-away-from-zero(w / q.scale), clamped to
//            [-(2^(b-1)-1), 2^(b-1)-1] (b = q.bits, 2..8).
// Throws std::invalid_argument for a non-finite w, an invalid scale (<= 0 or not finite),
// a negative or non-finite eta, or unsupported bits.
int8_t quantize_weight(double w, const WeightQuantConfig& q);

// Element-wise quantize_weight; the exception names the index of an offending value.
std::vector<int8_t> quantize_weights(const std::vector<float>& w, const WeightQuantConfig& q);
std::vector<int8_t> quantize_weights(const std::vector<double>& w, const WeightQuantConfig& q);

// RCCM layers (q.quant = rccm, ch. 6.5): the select index of the scaled coefficient nearest to
// each weight (eq. 6.3, rccm_quantize), with lambda = q.scale, or max|w| / max|c| when q.scale
// is 0 (the scaled coefficients span the weights' range, ch. 6.5.2; 1 for all-zero weights).
// The hardware's 8-bit lambda_l is lambda's mantissa: lambda ~ lambda_l x 2^-exponent with
// lambda_l in 128..255; the power of two is left to the requantisation that follows.
struct RccmImport {
    std::vector<uint8_t> selects;
    double lambda = 1.0;
    int32_t lambda_code = 128;
    int exponent = 7;
};
RccmImport quantize_rccm_weights(const std::vector<double>& w, const WeightQuantConfig& q);
// lambda_l and the exponent of a positive finite scale (see RccmImport).
void rccm_lambda_code(double lambda, int32_t& code, int& exponent);

}  // namespace qsim
