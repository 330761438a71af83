#include "models/network/param_generator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "models/common/rng.hpp"
#include "models/rccm/rccm_quantizer.hpp"

namespace qsim {

namespace {

constexpr double kClamp = 1073741824.0;  // 2^30
constexpr double kInt32Max = 2147483647.0;
constexpr uint64_t kScaleSalt = 0x5CA1E5CA1E5CA1E5ull;  // seeds the SYQ factors apart from the weights

int64_t round_clamped(double x) {
    if (std::isnan(x)) return 0;
    x = std::round(x);
    if (x > kClamp) x = kClamp;
    if (x < -kClamp) x = -kClamp;
    return int64_t(x);
}

std::string layer_field(const LayerConfig& l, const std::string& f) {
    return "layers[" + l.name + "]." + f;
}

}  // namespace

std::vector<int8_t> generate_weights(const LayerConfig& layer, uint64_t layer_seed, double sparsity,
                                     const std::string& config_file) {
    if (!layer.is_compute()) return {};
    if (!(sparsity >= 0.0 && sparsity <= 1.0))
        throw ConfigError(config_file, {}, "weights.generator.sparsity",
                          "must be in [0, 1], got " + std::to_string(sparsity));
    const int64_t n_out = layer.out.channels;
    const int64_t fan_in = layer.fan_in();
    if (n_out < 1 || fan_in < 1)
        throw ConfigError(config_file, layer.loc, layer_field(layer, "out.channels"),
                          "a compute layer needs out.channels >= 1 and fan_in >= 1 (got " +
                              std::to_string(n_out) + " and " + std::to_string(fan_in) + ")");
    const WeightQuant q = layer.weights.quant;
    if (q == WeightQuant::Rccm) return {};  // select indices instead: generate_rccm_params
    int m = 1;
    if (q == WeightQuant::Uniform) {
        if (layer.weights.bits < 2 || layer.weights.bits > 8)
            throw ConfigError(config_file, layer.loc, layer_field(layer, "weights.bits"),
                              "uniform weights need 2..8 bits, got " +
                                  std::to_string(layer.weights.bits));
        m = (1 << (layer.weights.bits - 1)) - 1;
    }
    Rng rng(layer_seed);
    std::vector<int8_t> w(size_t(n_out * fan_in));
    for (auto& v : w) {
        switch (q) {
            case WeightQuant::Binary: v = (rng.next() >> 63) ? 1 : -1; break;
            case WeightQuant::Ternary:
                if (rng.uniform() < sparsity) v = 0;
                else v = (rng.next() >> 63) ? 1 : -1;
                break;
            case WeightQuant::Rccm: break;
            case WeightQuant::Uniform:
                if (rng.uniform() < sparsity) {
                    v = 0;
                } else {
                    int k = int(rng.below(uint32_t(2 * m)));  // 0 .. 2m-1
                    v = int8_t(k < m ? k - m : k - m + 1);     // -m..-1, 1..m
                }
                break;
        }
    }
    return w;
}

void generate_rccm_params(const LayerConfig& layer, uint64_t layer_seed, double sparsity, LayerParams& p) {
    if (!(sparsity >= 0.0 && sparsity <= 1.0))
        throw std::invalid_argument("generate_rccm_params: sparsity must be in [0, 1], got " + std::to_string(sparsity));
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(layer.weights.rccm));
    const uint32_t codes = uint32_t(book.by_select.size());
    // The select index of coefficient 0 (every Table 6.3 circuit has one).
    const auto zero = std::find(book.levels.begin(), book.levels.end(), 0);
    const uint8_t zero_select = zero == book.levels.end() ? 0 : uint8_t(book.level_select[size_t(zero - book.levels.begin())]);
    Rng rng(layer_seed);
    p.selects.resize(size_t(layer.out.channels) * size_t(std::max<int64_t>(0, layer.fan_in())));
    for (auto& s : p.selects) s = rng.uniform() < sparsity ? zero_select : uint8_t(rng.below(codes));
    p.lambda = int32_t(1 + rng.below(255));  // after the select indices, from the same stream
    p.weights.clear();
}

AccumulatorModel rccm_accumulator_model(const LayerConfig& layer, const LayerParams& params, const ValueModel& in) {
    AccumulatorModel a;
    const size_t n_out = size_t(std::max(0, layer.out.channels));
    const size_t fan_in = size_t(std::max<int64_t>(0, layer.fan_in()));
    if (params.selects.size() != n_out * fan_in)
        throw std::invalid_argument("accumulator_model: rccm layer " + layer.name + " has " +
                                    std::to_string(params.selects.size()) + " select indices, expected " +
                                    std::to_string(n_out * fan_in));
    const std::vector<int64_t> coeff = rccm_coefficients_by_select(rccm_circuit(layer.weights.rccm));
    a.mean.resize(n_out);
    a.sd.resize(n_out);
    a.bound.resize(n_out);
    a.step = layer.in_encoding == Encoding::Bipolar ? 2 : 1;
    if (a.step == 2) a.parity.resize(n_out);
    const double lambda = double(params.lambda);
    for (size_t n = 0; n < n_out; ++n) {
        // The value entering the activation is lambda * sum c x: an effective weight lambda * c.
        int64_t sum = 0, sum_sq = 0, sum_abs = 0;
        const uint8_t* s = params.selects.data() + n * fan_in;
        for (size_t k = 0; k < fan_in; ++k) {
            const int64_t c = coeff[size_t(s[k]) % coeff.size()];
            sum += c;
            sum_sq += c * c;
            sum_abs += c < 0 ? -c : c;
        }
        a.mean[n] = in.mean * lambda * double(sum);
        a.sd[n] = std::max(1.0, lambda * std::sqrt(in.var * double(sum_sq)));
        a.bound[n] = in.bound * lambda * double(sum_abs);
        if (a.step == 2) a.parity[n] = int((int64_t(params.lambda) * sum_abs) & 1);
    }
    return a;
}

ValueModel encoding_value_model(Encoding e, int bits) {
    ValueModel v;
    switch (e) {
        case Encoding::Unsigned: {
            double levels = std::ldexp(1.0, bits);  // 2^b codes 0 .. 2^b - 1
            v.mean = (levels - 1) / 2;
            v.var = (levels * levels - 1) / 12;
            v.bound = levels - 1;
            break;
        }
        case Encoding::Signed: {
            double levels = std::ldexp(1.0, bits);  // -2^(b-1) .. 2^(b-1) - 1
            v.mean = -0.5;
            v.var = (levels * levels - 1) / 12;
            v.bound = levels / 2;
            break;
        }
        case Encoding::Bipolar:
            v.mean = 0;
            v.var = 1;
            v.bound = 1;
            break;
        case Encoding::Accumulator:
            throw std::invalid_argument(
                "encoding_value_model: an Accumulator input needs the previous layer's model");
    }
    return v;
}

AccumulatorModel accumulator_model(const LayerConfig& layer, const std::vector<int8_t>& weights,
                                   const ValueModel& in) {
    AccumulatorModel a;
    const size_t n_out = size_t(std::max(0, layer.out.channels));
    const size_t fan_in = size_t(std::max<int64_t>(0, layer.fan_in()));
    if (weights.size() != n_out * fan_in)
        throw std::invalid_argument("accumulator_model: layer " + layer.name + " has " +
                                    std::to_string(weights.size()) + " weights, expected " +
                                    std::to_string(n_out * fan_in));
    a.mean.resize(n_out);
    a.sd.resize(n_out);
    a.bound.resize(n_out);
    a.step = layer.in_encoding == Encoding::Bipolar ? 2 : 1;
    if (a.step == 2) a.parity.resize(n_out);
    // Sums in 32 bits over blocks of kBlock weights (|w| <= 128, so a block's sum of squares stays
    // below 2^31), which the compiler vectorises; exact, the same sums as one 64-bit pass.
    constexpr size_t kBlock = 65536;
    for (size_t n = 0; n < n_out; ++n) {
        int64_t sum = 0, sum_sq = 0, sum_abs = 0;
        const int8_t* w = weights.data() + n * fan_in;
        for (size_t b = 0; b < fan_in; b += kBlock) {
            const size_t end = std::min(fan_in, b + kBlock);
            int32_t s1 = 0, s2 = 0, sa = 0;
            for (size_t s = b; s < end; ++s) {
                const int32_t v = w[s];
                s1 += v;
                s2 += v * v;
                sa += v < 0 ? -v : v;
            }
            sum += s1;
            sum_sq += s2;
            sum_abs += sa;
        }
        a.mean[n] = in.mean * double(sum);
        a.sd[n] = std::max(1.0, std::sqrt(in.var * double(sum_sq)));
        a.bound[n] = in.bound * double(sum_abs);
        if (a.step == 2) a.parity[n] = int(sum_abs & 1);
    }
    return a;
}

AccumulatorModel accumulator_model(const LayerConfig& layer, const LayerParams& params, const ValueModel& in) {
    if (layer.weights.quant == WeightQuant::Rccm) return rccm_accumulator_model(layer, params, in);
    if (params.scales.empty()) return accumulator_model(layer, params.weights, in);
    // SYQ row/pixel scaling: synapse s of group g = s / (fan_in / factors) counts scales[g] times.
    AccumulatorModel a;
    const size_t n_out = size_t(std::max(0, layer.out.channels));
    const size_t fan_in = size_t(std::max<int64_t>(0, layer.fan_in()));
    const size_t groups = params.scales.size();
    if (params.weights.size() != n_out * fan_in || groups == 0 || fan_in % groups != 0)
        throw std::invalid_argument("accumulator_model: layer " + layer.name + " has " +
                                    std::to_string(params.weights.size()) + " weights and " +
                                    std::to_string(groups) + " scaling factors");
    const size_t per_group = fan_in / groups;
    a.mean.resize(n_out);
    a.sd.resize(n_out);
    a.bound.resize(n_out);
    for (size_t n = 0; n < n_out; ++n) {
        double sum = 0, sum_sq = 0, sum_abs = 0;
        const int8_t* w = params.weights.data() + n * fan_in;
        for (size_t s = 0; s < fan_in; ++s) {
            const double v = double(w[s]) * double(params.scales[s / per_group]);
            sum += v;
            sum_sq += v * v;
            sum_abs += std::fabs(v);
        }
        a.mean[n] = in.mean * sum;
        a.sd[n] = std::max(1.0, std::sqrt(in.var * sum_sq));
        a.bound[n] = in.bound * sum_abs;
    }
    return a;
}

std::vector<int32_t> generate_scales(const LayerConfig& layer, uint64_t layer_seed) {
    const int count = layer.scaling_factors();
    std::vector<int32_t> scales(size_t(std::max(0, count)));
    if (count == 0) return scales;
    // Factor codes in the upper half of the range [2^(b-1), 2^b - 1]: normalised fixed-point
    // magnitudes (the largest factor of a subgroup set sets the binary point).
    const uint32_t lo = uint32_t(1) << (layer.scaling.bits - 1);
    const uint32_t span = (uint32_t(1) << layer.scaling.bits) - lo;
    Rng rng(layer_seed);
    for (auto& v : scales) v = int32_t(lo + rng.below(span));
    return scales;
}

ValueModel accumulator_value_model(const AccumulatorModel& acc) {
    ValueModel v;
    if (acc.mean.empty()) return v;
    double m = 0, m2 = 0, b = 0;
    for (size_t n = 0; n < acc.mean.size(); ++n) {
        m += acc.mean[n];
        m2 += acc.sd[n] * acc.sd[n] + acc.mean[n] * acc.mean[n];
        b = std::max(b, acc.bound[n]);
    }
    m /= double(acc.mean.size());
    m2 /= double(acc.mean.size());
    v.mean = m;
    v.var = std::max(0.0, m2 - m * m);
    v.bound = std::min(b, kInt32Max);
    return v;
}

std::vector<ValueModel> input_value_models(const NetworkConfig& cfg, const NetworkParams& params) {
    std::vector<ValueModel> models(cfg.layers.size());
    ValueModel last_acc;  // accumulator model of the last compute layer seen
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        const LayerConfig& layer = cfg.layers[l];
        if (layer.in_encoding == Encoding::Accumulator) models[l] = last_acc;
        else models[l] = encoding_value_model(layer.in_encoding, layer.in_bits);
        if (layer.is_compute() && l < params.layers.size())
            last_acc = accumulator_value_model(accumulator_model(layer, params.layers[l], models[l]));
    }
    return models;
}

double normal_quantile(double p) {
    if (!(p > 0.0 && p < 1.0))
        throw std::invalid_argument("normal_quantile: p must be in (0, 1), got " + std::to_string(p));
    // Exactly symmetric: z(1 - p) = -z(p), z(1/2) = 0.
    if (p == 0.5) return 0.0;
    if (p > 0.5) return -normal_quantile(1.0 - p);
    // Phi(x) = erfc(-x / sqrt(2)) / 2 is increasing; bisect until the bracket stops shrinking.
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 200; ++i) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        double phi = 0.5 * std::erfc(-mid / std::sqrt(2.0));
        if (phi < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

std::vector<int32_t> analytic_thresholds(const LayerConfig& layer, const AccumulatorModel& acc) {
    const size_t n_out = acc.mean.size();
    std::vector<int32_t> t;
    if (layer.activation.type == ActivationType::Bipolar) {
        t.resize(n_out);
        for (size_t n = 0; n < n_out; ++n) t[n] = int32_t(round_clamped(acc.mean[n]));
        return t;
    }
    if (layer.activation.type != ActivationType::Thresholds) return t;
    const int bits = layer.activation.bits;
    if (bits < 1 || bits > 16)
        throw std::invalid_argument("analytic_thresholds: layer " + layer.name +
                                    ": threshold activations need 1..16 bits");
    const int levels = 1 << bits;
    const int T = levels - 1;
    std::vector<double> z(static_cast<size_t>(T));
    for (int j = 1; j <= T; ++j) z[size_t(j - 1)] = normal_quantile(double(j) / levels);
    t.resize(n_out * size_t(T));
    for (size_t n = 0; n < n_out; ++n) {
        int64_t prev = 0;
        for (int j = 0; j < T; ++j) {
            int64_t v = round_clamped(acc.mean[n] + acc.sd[n] * z[size_t(j)]);
            if (acc.step == 2 && ((v - acc.parity[n]) % 2 != 0)) ++v;  // same acc >= t
            if (j > 0) v = std::max(v, prev + acc.step);
            t[n * size_t(T) + size_t(j)] = int32_t(v);
            prev = v;
        }
    }
    return t;
}

std::vector<int32_t> analytic_relu_bias(const AccumulatorModel& acc) {
    std::vector<int32_t> b(acc.mean.size());
    for (size_t n = 0; n < b.size(); ++n) b[n] = int32_t(-round_clamped(acc.mean[n]));
    return b;
}

void analytic_relu_scale(const LayerConfig& layer, const AccumulatorModel& acc,
                         const std::vector<int32_t>& bias, int32_t& mul, int32_t& shift) {
    double sd_max = 1.0;
    for (double s : acc.sd) sd_max = std::max(sd_max, s);
    const double full = std::ldexp(1.0, layer.activation.bits) - 1;
    const double scale = full / (3.0 * sd_max);  // wanted mul / 2^shift
    auto mul_for = [&](int sh) { return std::max(1.0, std::round(scale * std::ldexp(1.0, sh))); };
    // Largest |acc + bias| over the layer.
    double worst = 0;
    for (size_t n = 0; n < acc.bound.size(); ++n) {
        double b = n < bias.size() ? std::fabs(double(bias[n])) : 0.0;
        worst = std::max(worst, acc.bound[n] + b);
    }
    // An RCCM layer's lambda x acc is wider than 32 bits by design; its requantisation works in
    // 64 bits (the weight file reader checks the same bound).
    const double limit = layer.weights.quant == WeightQuant::Rccm ? std::ldexp(1.0, 62) : kInt32Max;
    auto fits = [&](double m, int sh) { return worst * m + std::ldexp(1.0, sh - 1) <= limit; };

    int sh = 16;
    while (sh < 30 && std::round(scale * std::ldexp(1.0, sh)) < 1.0) ++sh;
    double m = mul_for(sh);
    while (!fits(m, sh) && sh > 1) {
        --sh;
        m = mul_for(sh);
    }
    mul = int32_t(std::min(m, kInt32Max));
    shift = sh;
}

void fill_analytic_activation(const LayerConfig& layer, const ValueModel& in, LayerParams& p) {
    p.thresholds.clear();
    p.bias.clear();
    p.mul = 1;
    p.shift = 1;
    const AccumulatorModel acc = accumulator_model(layer, p, in);
    switch (layer.activation.type) {
        case ActivationType::Thresholds:
        case ActivationType::Bipolar: p.thresholds = analytic_thresholds(layer, acc); break;
        case ActivationType::Relu:
            p.bias = analytic_relu_bias(acc);
            analytic_relu_scale(layer, acc, p.bias, p.mul, p.shift);
            break;
        case ActivationType::None: break;
    }
}

AccumulatorModel sum_model(const LayerConfig& layer) {
    const ValueModel a = encoding_value_model(layer.in_encoding, layer.in_bits);
    const ValueModel b = encoding_value_model(layer.in2_encoding, layer.in2_bits);
    const size_t n = size_t(std::max(0, layer.out.channels));
    AccumulatorModel m;
    m.mean.assign(n, a.mean + b.mean);
    m.sd.assign(n, std::max(1.0, std::sqrt(a.var + b.var)));
    m.bound.assign(n, a.bound + b.bound);
    if (layer.in_encoding == Encoding::Bipolar && layer.in2_encoding == Encoding::Bipolar) {
        m.step = 2;  // (+-1) + (+-1): even sums only
        m.parity.assign(n, 0);
    }
    return m;
}

void fill_sum_requantisation(const LayerConfig& layer, LayerParams& p) {
    p.layer = layer.name;
    const AccumulatorModel sum = sum_model(layer);
    if (layer.activation.type == ActivationType::Relu) {
        p.bias = analytic_relu_bias(sum);
        analytic_relu_scale(layer, sum, p.bias, p.mul, p.shift);
    } else {
        p.thresholds = analytic_thresholds(layer, sum);
    }
}

NetworkParams generate_params(const NetworkConfig& cfg, uint64_t seed, double sparsity) {
    if (!(sparsity >= 0.0 && sparsity <= 1.0))
        throw ConfigError(cfg.source_file, {}, "weights.generator.sparsity",
                          "must be in [0, 1], got " + std::to_string(sparsity));
    NetworkParams params;
    params.layers.resize(cfg.layers.size());
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        const LayerConfig& layer = cfg.layers[l];
        if (!layer.is_compute()) continue;
        LayerParams& p = params.layers[l];
        p.layer = layer.name;
        p.weights = generate_weights(layer, Rng::mix(seed, l), sparsity, cfg.source_file);
        // SYQ factors from a stream of their own, so the weights do not depend on the scaling.
        p.scales = generate_scales(layer, Rng::mix(seed ^ kScaleSalt, l));
    }
    for (size_t l = 0; l < cfg.layers.size(); ++l)
        if (cfg.layers[l].is_compute() && cfg.layers[l].weights.quant == WeightQuant::Rccm)
            generate_rccm_params(cfg.layers[l], Rng::mix(seed, l), sparsity, params.layers[l]);
    const std::vector<ValueModel> models = input_value_models(cfg, params);
    for (size_t l = 0; l < cfg.layers.size(); ++l)
        if (cfg.layers[l].is_compute())
            fill_analytic_activation(cfg.layers[l], models[l], params.layers[l]);
        else if (cfg.layers[l].is_requantised_add())
            fill_sum_requantisation(cfg.layers[l], params.layers[l]);
    return params;
}

}  // namespace qsim
