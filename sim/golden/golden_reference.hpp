// Golden reference: a plain, deliberately simple C++ implementation of quantised network
// inference, written apart from the hardware models so that tests (and `sim --check`) can
// compare the simulator's bit-true outputs against it.
//
// Everything here favours obviousness over speed: nested loops, one code per int32, no
// packing; conv and fc are an im2col and a plain integer matrix product (golden_gemm.hpp)
// whose sums are exact (int64, or int32 where a bound proves no sum can overflow), with the
// weight matrix built once per layer and kept across frames (LayerPlan).
//
// Contract (shared with the hardware models):
//   * Stream values are integer codes. The arithmetic value of an input code is
//     decode_value(code, layer.in_encoding) (Bipolar code c means 2c - 1).
//   * conv: out(oy, ox, n) = sum_{ky < K, kx < Kc, c < Cg} w[n][(ky*Kc + kx)*Cg + c] *
//           value(in(oy*stride - pad_begin + ky, ox*stride - pad_begin + kx, g*Cg + c)),
//           Kc = K (square windows); a 1-D layer has Kc = 1 and no column stride or padding.
//           Cg = in.channels / groups, g = n / (N / groups). Positions outside the input are
//           padding with CODE 0 (value -1 for Bipolar inputs, 0 otherwise).
//     With SYQ row- or pixel-wise scaling the dot product over kernel position (ky, kx) is
//     first multiplied by its factor, params.scales[ky*Kc + kx] (pixel) or params.scales[ky] (row).
//   * fc:   input flattened in HWC order (c fastest); out(0, 0, n) = sum_s w[n*fan_in + s] * value(x[s]).
//   * RCCM layers (weights.quant = rccm): w is the coefficient the circuit's codebook gives the
//     select index params.selects[...] (Table 6.2, rccm_decode), and the activation takes
//     params.lambda * the dot product (the scale after the fan-in, ch. 6.6.2), in 64 bits.
//   * Activation on the int64 accumulator (which must fit int32, else std::logic_error):
//       Thresholds: code = #{ j : acc >= t[n*T + j] }
//       Bipolar   : code = acc >= t[n] ? 1 : 0
//       Relu      : code = clamp(floor(((acc + bias[n]) * mul + 2^(shift-1)) / 2^shift), 0, 2^bits - 1)
//       None      : code = acc
//   * maxpool: max of the input codes over the K x K window (padding never wins).
//   * global_maxpool: max of the input codes over all positions, per channel.
//   * global_avgpool: the sum of the input values over all positions, per channel (the 1/(H*W)
//     is left to the next layer), which must lie in the range of out_bits.
//   * add: out = value(a, in_encoding) + value(b, in2_encoding) at every position, which must
//     lie in the range of out_bits (unsigned, or two's complement when out_encoding is Signed).
//   * concat: at every pixel the first input's channels, then the second's, and so on; a code
//     whose encoding differs from out_encoding is written as its value.
//   * topk: the indices of the k largest input values, the largest first, equal values in
//     index order.
//   * graphs: layer i reads the outputs of net.inputs_of(i) (-1: the input frame).
//
// Invalid shapes, parameter sizes, geometry or input codes throw std::invalid_argument.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "models/common/feature_map.hpp"
#include "models/network/layer_params.hpp"
#include "models/network/network_config.hpp"
#include "sim/golden/golden_gemm.hpp"

namespace qsim::golden {

// What run_layer derives from a layer's parameters alone, kept to be used again for the next
// frame: the weight matrix of a conv or fc layer (SYQ factors or RCCM coefficients applied).
// A plan belongs to one layer and its parameters; run_layer builds it on first use.
struct LayerPlan {
    std::optional<WeightMatrix> weights;
};

// Output of one layer for one input frame. `params` is ignored for pooling layers. With a
// plan, what it holds is used instead of being derived again from `params`.
FeatureMap run_layer(const LayerConfig& layer, const LayerParams& params, const FeatureMap& input,
                     LayerPlan* plan = nullptr);

// Output of an add layer for one frame of each input.
FeatureMap run_add(const LayerConfig& layer, const LayerParams& params, const FeatureMap& a, const FeatureMap& b);

// Output of a concat layer for one frame of each input (layer.concat_inputs gives their codes).
FeatureMap run_concat(const LayerConfig& layer, const std::vector<const FeatureMap*>& inputs);
FeatureMap run_concat(const LayerConfig& layer, const FeatureMap& a, const FeatureMap& b);

// Throws std::invalid_argument unless `params` has an entry per layer and every layer reads the
// codes (encoding and bits) its inputs deliver.
void check_network(const NetworkConfig& net, const NetworkParams& params);

// Output of layer `i` of `net` for one frame, its inputs given by `output_of` (-1: the network
// input, else a layer's output): run_layer, run_add or run_concat as the layer's type asks.
// `plan` (optional) is layer i's, kept across frames.
FeatureMap run_network_layer(const NetworkConfig& net, const NetworkParams& params, size_t i,
                             const std::function<const FeatureMap&(int)>& output_of, LayerPlan* plan = nullptr);

// Outputs of every layer, in order (result[i] = output of net.layers[i]).
// params.layers must have one entry per layer of the network. `plans` (optional, one per layer
// once given) keeps what each layer derives from its parameters for the next frame.
std::vector<FeatureMap> run_network(const NetworkConfig& net, const NetworkParams& params,
                                    const FeatureMap& input, std::vector<LayerPlan>* plans = nullptr);

}  // namespace qsim::golden
