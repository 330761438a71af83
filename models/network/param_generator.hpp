// Deterministic parameter generator: random integer weights plus analytically chosen
// thresholds / requantisation constants, so that every layer's outputs spread over all of
// its output codes without running any data through the network.
//
// Weights of compute layer l come from Rng(Rng::mix(seed, l)) (l = index in the config,
// pool layers included), drawn in the synapse order of layer_params.hpp (n outer, s inner):
//   binary : +1 / -1 with p = 1/2 (sparsity does not apply);
//   ternary: 0 with probability `sparsity`, else +1 / -1 with p = 1/2;
//   uniform: 0 with probability `sparsity`, else uniform over the nonzero integers of
//            [-(2^(b-1)-1), 2^(b-1)-1].
// Each weight consumes: binary one next(); ternary/uniform one uniform() and, when nonzero,
// one more draw (next() for the sign, below(2^b - 2) for a uniform value).
// RCCM layers draw select indices instead from the same stream (generate_rccm_params), and
// their model counts each synapse with the effective weight lambda_l x coefficient.
//
// SYQ row/pixel scaling factors (LayerConfig::scaling) come from Rng(Rng::mix(seed ^ salt, l)),
// a stream of their own (generate_scales), and the analytic model counts each synapse with its
// subgroup's factor.
//
// Analytic model: the inputs of a layer are i.i.d. with the mean/variance of codes uniform over
// the input encoding's range (Unsigned b: [0, 2^b-1]; Signed b: [-2^(b-1), 2^(b-1)-1];
// Bipolar: +-1). For an Accumulator input (the previous compute layer has no activation) the
// previous layer's accumulator model is used (the channel mixture of its per-channel normals).
// Output channel n then has mean_n = mu_x * sum(w), sd_n = max(1, sqrt(var_x * sum(w^2))).
//   Thresholds (b bits): t_j = round(mean_n + sd_n * z(j / 2^b)), j = 1 .. 2^b - 1, forced
//       strictly ascending. With Bipolar inputs the accumulator only takes values of one
//       parity (sum |w| mod 2), so thresholds are moved up to that parity (which does not change
//       acc >= t) and forced at least 2 apart, so that no code becomes unreachable.
//   Bipolar: t_1 = round(mean_n).
//   Relu (b bits): bias_n = -round(mean_n); shift = 16, mul = max(1, round((2^b-1) * 2^16 /
//       (3 * sd_max))), so about 3 sd of the largest channel map to full scale. If
//       (|acc|max + |bias_n|) * mul + 2^(shift-1) could exceed INT32_MAX (2^62 for RCCM layers,
//       whose lambda x acc is requantised in 64 bits), shift is lowered
//       (and mul recomputed for the same scale) until it fits or shift = 1. If even mul = 1 at
//       shift 16 is too coarse (huge sd), shift is raised (up to 30) instead.
//   None: nothing.
// All thresholds and biases are clamped to [-2^30, 2^30] before being forced ascending.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"

namespace qsim {

// Generates the parameters of every layer (pool layers: empty entries). Throws ConfigError
// for a sparsity outside [0, 1] or a layer whose weight quantisation cannot be generated
// (uniform with bits outside 2..8, out.channels or fan_in < 1).
NetworkParams generate_params(const NetworkConfig& cfg, uint64_t seed, double sparsity);

// The weights of one compute layer (N * fan_in values), from the given per-layer seed.
std::vector<int8_t> generate_weights(const LayerConfig& layer, uint64_t layer_seed, double sparsity,
                                     const std::string& config_file = "");

// RCCM layers (weights.quant = rccm): select indices from Rng(layer_seed) in synapse order,
// each the index of coefficient 0 with probability `sparsity` (one uniform() draw), else
// uniform over all 2^select_bits codes (one below() draw); then lambda_l uniform over 1..255
// (one below() draw). Fills p.selects and p.lambda, clears p.weights.
void generate_rccm_params(const LayerConfig& layer, uint64_t layer_seed, double sparsity, LayerParams& p);

// Mean, variance and largest magnitude of the values entering a layer.
struct ValueModel {
    double mean = 0.0;
    double var = 0.0;
    double bound = 0.0;
};

// Model of values whose codes are uniform over the encoding's range (not Accumulator).
ValueModel encoding_value_model(Encoding e, int bits);

// Per-channel model of a layer's accumulator.
struct AccumulatorModel {
    std::vector<double> mean;    // mu_x * sum(w)
    std::vector<double> sd;      // max(1, sqrt(var_x * sum(w^2)))
    std::vector<double> bound;   // max |acc| = sum|w| * input bound
    int step = 1;                // 2 when the accumulator only takes values of one parity
    std::vector<int> parity;     // per channel (sum |w| mod 2) when step == 2
};

AccumulatorModel accumulator_model(const LayerConfig& layer, const std::vector<int8_t>& weights,
                                   const ValueModel& in);
// The same with the layer's SYQ scaling factors (params.scales) applied to their subgroups of
// synapses (no parity step: the factors mix the parities); without factors, as above.
AccumulatorModel accumulator_model(const LayerConfig& layer, const LayerParams& params, const ValueModel& in);
// SYQ factor codes of a row- or pixel-wise scaled layer (K or K^2 values, uniform over
// [2^(b-1), 2^b - 1]) from the layer seed Rng::mix(seed ^ salt, l); empty for layer-wise scaling.
std::vector<int32_t> generate_scales(const LayerConfig& layer, uint64_t layer_seed);
// An RCCM layer's model: the value entering its activation is lambda * sum c(s) x, so each
// synapse counts with the effective weight lambda * c of its select index.
AccumulatorModel rccm_accumulator_model(const LayerConfig& layer, const LayerParams& params, const ValueModel& in);
// What a following layer sees when this accumulator leaves unchanged (activation None).
ValueModel accumulator_value_model(const AccumulatorModel& acc);

// The input model of every layer (entries of non-compute layers are filled too, but unused).
// Needs only the weights of params (for Accumulator inputs).
std::vector<ValueModel> input_value_models(const NetworkConfig& cfg, const NetworkParams& params);

// Standard normal quantile z(p), 0 < p < 1 (bisection on erfc, accurate to ~1e-12).
double normal_quantile(double p);

// Thresholds (N * T) for a Thresholds or Bipolar layer; empty otherwise.
std::vector<int32_t> analytic_thresholds(const LayerConfig& layer, const AccumulatorModel& acc);
// Relu bias (N values).
std::vector<int32_t> analytic_relu_bias(const AccumulatorModel& acc);
// Relu mul/shift for the layer's activation bits, with the int32 overflow check using `bias`.
void analytic_relu_scale(const LayerConfig& layer, const AccumulatorModel& acc,
                         const std::vector<int32_t>& bias, int32_t& mul, int32_t& shift);

// The sum of an add layer's two inputs, per channel, as an accumulator: mean, spread and bound
// of the two values (codes uniform over their encodings) added.
AccumulatorModel sum_model(const LayerConfig& layer);
// An add layer with an activation: its name and the parameters of the unit after the adder
// (thresholds by analytic_thresholds, or the relu bias and scale, over sum_model).
void fill_sum_requantisation(const LayerConfig& layer, LayerParams& p);

// Fills p.thresholds / p.bias / p.mul / p.shift from p.weights (which must be set).
void fill_analytic_activation(const LayerConfig& layer, const ValueModel& in, LayerParams& p);

}  // namespace qsim
