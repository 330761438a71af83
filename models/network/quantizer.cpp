#include "models/network/quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/rccm/rccm_quantizer.hpp"

namespace qsim {

namespace {

void check_config(const WeightQuantConfig& q) {
    switch (q.quant) {
        case WeightQuant::Binary: break;
        case WeightQuant::Ternary:
            if (!std::isfinite(q.threshold) || q.threshold < 0)
                throw std::invalid_argument("ternary threshold must be finite and >= 0, got " +
                                            std::to_string(q.threshold));
            break;
        case WeightQuant::Uniform:
            if (q.bits < 2 || q.bits > 8)
                throw std::invalid_argument("uniform weights need 2..8 bits, got " +
                                            std::to_string(q.bits));
            if (!std::isfinite(q.scale) || q.scale <= 0)
                throw std::invalid_argument("uniform scale must be finite and > 0, got " +
                                            std::to_string(q.scale));
            break;
        case WeightQuant::Rccm:
            throw std::invalid_argument("rccm weights are select indices: use quantize_rccm_weights");
    }
}

int8_t quantize_checked(double w, const WeightQuantConfig& q) {
    if (!std::isfinite(w)) throw std::invalid_argument("weight is not finite");
    switch (q.quant) {
        case WeightQuant::Binary: return w >= 0 ? 1 : -1;
        case WeightQuant::Ternary: return w > q.threshold ? 1 : (w < -q.threshold ? -1 : 0);
        case WeightQuant::Uniform: {
            const double m = uniform_weight_max(q.bits);
            double r = std::round(w / q.scale);  // std::round rounds halves away from zero
            if (r > m) r = m;
            if (r < -m) r = -m;
            return int8_t(r);
        }
        case WeightQuant::Rccm: break;  // rejected by check_config
    }
    return 0;
}

template <typename T>
std::vector<int8_t> quantize_all(const std::vector<T>& w, const WeightQuantConfig& q) {
    check_config(q);
    std::vector<int8_t> out(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
        if (!std::isfinite(double(w[i])))
            throw std::invalid_argument("weight " + std::to_string(i) + " is not finite (" +
                                        std::to_string(double(w[i])) + ")");
        out[i] = quantize_checked(double(w[i]), q);
    }
    return out;
}

}  // namespace

int8_t quantize_weight(double w, const WeightQuantConfig& q) {
    check_config(q);
    return quantize_checked(w, q);
}

std::vector<int8_t> quantize_weights(const std::vector<float>& w, const WeightQuantConfig& q) {
    return quantize_all(w, q);
}

std::vector<int8_t> quantize_weights(const std::vector<double>& w, const WeightQuantConfig& q) {
    return quantize_all(w, q);
}

void rccm_lambda_code(double lambda, int32_t& code, int& exponent) {
    if (!std::isfinite(lambda) || lambda <= 0)
        throw std::invalid_argument("RCCM scale lambda must be finite and > 0, got " + std::to_string(lambda));
    int e = 0;
    std::frexp(lambda, &e);  // lambda = m * 2^e, m in [0.5, 1)
    exponent = 8 - e;        // lambda * 2^exponent in [128, 256)
    double r = std::round(std::ldexp(lambda, exponent));
    if (r >= 256) {
        r = 128;
        --exponent;
    }
    code = int32_t(r);
}

RccmImport quantize_rccm_weights(const std::vector<double>& w, const WeightQuantConfig& q) {
    if (q.quant != WeightQuant::Rccm) throw std::invalid_argument("quantize_rccm_weights: not an rccm layer");
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(q.rccm));
    double max_abs = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        if (!std::isfinite(w[i]))
            throw std::invalid_argument("weight " + std::to_string(i) + " is not finite (" + std::to_string(w[i]) + ")");
        max_abs = std::max(max_abs, std::fabs(w[i]));
    }
    RccmImport out;
    out.lambda = q.scale > 0 ? q.scale : max_abs > 0 ? rccm_scale_for_range(book, max_abs) : 1.0;
    rccm_lambda_code(out.lambda, out.lambda_code, out.exponent);
    out.selects.resize(w.size());
    for (size_t i = 0; i < w.size(); ++i) out.selects[i] = uint8_t(rccm_quantize(book, out.lambda, w[i]));
    return out;
}

}  // namespace qsim
