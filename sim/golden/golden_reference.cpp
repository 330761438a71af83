// Golden reference implementation. See golden_reference.hpp for the contract.
// Written for clarity: plain nested loops over the output positions; conv and fc accumulate
// through golden_gemm's im2col and integer matrix product.
#include "sim/golden/golden_reference.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "models/rccm/rccm_quantizer.hpp"
#include "sim/golden/golden_activation.hpp"
#include "sim/golden/golden_gemm.hpp"

namespace qsim::golden {
namespace {

// ---------------------------------------------------------------------------------------
// Error helpers

std::string shape_str(const FmShape& s) {
    std::ostringstream o;
    o << s.height << "x" << s.width << "x" << s.channels;
    return o.str();
}

[[noreturn]] void invalid(const LayerConfig& layer, const std::string& message) {
    throw std::invalid_argument(describe(layer) + message);
}

bool same_shape(const FmShape& a, const FmShape& b) {
    return a.height == b.height && a.width == b.width && a.channels == b.channels;
}

// ---------------------------------------------------------------------------------------
// Validation shared by all layers

// The feature map must have the layer's input shape and hold exactly that many codes.
void check_input_shape(const LayerConfig& layer, const FeatureMap& input) {
    if (layer.in.height <= 0 || layer.in.width <= 0 || layer.in.channels <= 0)
        invalid(layer, "input shape " + shape_str(layer.in) + " is empty");
    if (layer.out.height <= 0 || layer.out.width <= 0 || layer.out.channels <= 0)
        invalid(layer, "output shape " + shape_str(layer.out) + " is empty");
    if (!same_shape(input.shape, layer.in))
        invalid(layer, "input feature map has shape " + shape_str(input.shape) +
                           " but the layer expects " + shape_str(layer.in));
    if (int64_t(input.data.size()) != input.shape.elements())
        invalid(layer, "input feature map holds " + std::to_string(input.data.size()) +
                           " codes but its shape " + shape_str(input.shape) + " needs " +
                           std::to_string(input.shape.elements()));
}

// Every input code must be a legal code of the layer's input encoding.
void check_input_codes(const LayerConfig& layer, const FeatureMap& input) {
    int64_t lo = std::numeric_limits<int32_t>::min();
    int64_t hi = std::numeric_limits<int32_t>::max();
    const int bits = layer.in_bits;
    switch (layer.in_encoding) {
        case Encoding::Bipolar:
            lo = 0;
            hi = 1;
            break;
        case Encoding::Unsigned:
            if (bits < 1 || bits > 32)
                invalid(layer, "unsigned input needs 1..32 bits, got " + std::to_string(bits));
            lo = 0;
            hi = (int64_t(1) << bits) - 1;
            break;
        case Encoding::Signed:
            if (bits < 1 || bits > 32)
                invalid(layer, "signed input needs 1..32 bits, got " + std::to_string(bits));
            lo = -(int64_t(1) << (bits - 1));
            hi = (int64_t(1) << (bits - 1)) - 1;
            break;
        case Encoding::Accumulator:
            break;  // any int32
    }
    // The range of the codes first; element by element only to name the first one outside.
    int32_t least = std::numeric_limits<int32_t>::max(), most = std::numeric_limits<int32_t>::min();
    for (int32_t code : input.data) {
        least = std::min(least, code);
        most = std::max(most, code);
    }
    if (input.data.empty() || (least >= lo && most <= hi)) return;
    for (size_t i = 0; i < input.data.size(); ++i) {
        const int64_t code = input.data[i];
        if (code < lo || code > hi) {
            std::ostringstream s;
            s << "input code " << code << " at element " << i << " is outside [" << lo << ", "
              << hi << "] allowed by encoding " << to_string(layer.in_encoding) << " with "
              << bits << " bits";
            invalid(layer, s.str());
        }
    }
}

// Kernel, stride and padding must be sane, and every output window must lie inside the
// padded input (rows -pad_begin .. in + pad_end - 1).
void check_window_geometry(const LayerConfig& layer) {
    if (layer.kernel < 1) invalid(layer, "kernel must be >= 1, got " + std::to_string(layer.kernel));
    if (layer.stride < 1) invalid(layer, "stride must be >= 1, got " + std::to_string(layer.stride));
    if (layer.pad_begin < 0 || layer.pad_end < 0)
        invalid(layer, "padding must be >= 0, got [" + std::to_string(layer.pad_begin) + ", " +
                           std::to_string(layer.pad_end) + "]");
    const int64_t last_row = int64_t(layer.out.height - 1) * layer.stride + layer.kernel;
    const int64_t last_col = int64_t(layer.out.width - 1) * layer.col_stride() + layer.kernel_cols();
    if (last_row > int64_t(layer.in.height) + layer.pad_begin + layer.pad_end ||
        last_col > int64_t(layer.in.width) + layer.col_pad_begin() + layer.col_pad_end())
        invalid(layer, "output shape " + shape_str(layer.out) +
                           " reads beyond the padded input (input " + shape_str(layer.in) +
                           ", kernel " + std::to_string(layer.kernel) + "x" + std::to_string(layer.kernel_cols()) + ", stride " +
                           std::to_string(layer.stride) + ", padding [" +
                           std::to_string(layer.pad_begin) + ", " +
                           std::to_string(layer.pad_end) + "])");
}

// The activation's parameters must match the layer: thresholds N * T (bipolar N), relu biases N.
void check_activation_params(const LayerConfig& layer, const LayerParams& params) {
    const int64_t n = layer.out.channels;
    const ActivationConfig& act = layer.activation;
    switch (act.type) {
        case ActivationType::Thresholds: {
            if (act.bits < 1 || act.bits > 30)
                invalid(layer, "threshold activation needs 1..30 bits, got " +
                                   std::to_string(act.bits));
            const int64_t t = (int64_t(1) << act.bits) - 1;
            if (int64_t(params.thresholds.size()) != n * t)
                invalid(layer, "expected " + std::to_string(n * t) + " thresholds (" +
                                   std::to_string(n) + " channels x " + std::to_string(t) +
                                   "), got " + std::to_string(params.thresholds.size()));
            break;
        }
        case ActivationType::Bipolar:
            if (int64_t(params.thresholds.size()) != n)
                invalid(layer, "expected " + std::to_string(n) +
                                   " thresholds (one per channel) for a bipolar activation, got " +
                                   std::to_string(params.thresholds.size()));
            break;
        case ActivationType::Relu:
            if (act.bits < 1 || act.bits > 31)
                invalid(layer, "relu activation needs 1..31 bits, got " + std::to_string(act.bits));
            if (int64_t(params.bias.size()) != n)
                invalid(layer, "expected " + std::to_string(n) + " relu biases, got " +
                                   std::to_string(params.bias.size()));
            if (params.shift < 1 || params.shift > 62)
                invalid(layer, "relu shift must be in 1..62, got " + std::to_string(params.shift));
            break;
        case ActivationType::None:
            break;
    }
}

// Parameter vectors must match the layer: weights N * fan_in, thresholds N * T, bias N.
void check_params(const LayerConfig& layer, const LayerParams& params, int64_t fan_in) {
    const int64_t n = layer.out.channels;
    if (!params.layer.empty() && params.layer != layer.name)
        invalid(layer, "parameters belong to layer '" + params.layer + "'");
    if (layer.weights.quant == WeightQuant::Rccm) {
        if (int64_t(params.selects.size()) != n * fan_in)
            invalid(layer, "expected " + std::to_string(n * fan_in) + " RCCM select indices, got " +
                               std::to_string(params.selects.size()));
        if (params.lambda < 1 || params.lambda > 255)
            invalid(layer, "RCCM scale lambda must be 1..255, got " + std::to_string(params.lambda));
    } else if (int64_t(params.weights.size()) != n * fan_in)
        invalid(layer, "expected " + std::to_string(n * fan_in) + " weights (" +
                           std::to_string(n) + " channels x fan-in " + std::to_string(fan_in) +
                           "), got " + std::to_string(params.weights.size()));

    if (int64_t(params.scales.size()) != layer.scaling_factors())
        invalid(layer, "expected " + std::to_string(layer.scaling_factors()) + " SYQ scaling factors, got " +
                           std::to_string(params.scales.size()));

    check_activation_params(layer, params);
}

// The weight matrix of a conv or fc layer: the plan's (built by `build` on first use), or
// built into `local` without a plan.
template <typename Build>
const WeightMatrix& planned_weights(LayerPlan* plan, std::optional<WeightMatrix>& local, const Build& build) {
    std::optional<WeightMatrix>& slot = plan ? plan->weights : local;
    if (!slot) slot.emplace(build());
    return *slot;
}

// SYQ scaling factor of kernel position (ky, kx): pixel-wise scales[ky*K_cols + kx], row-wise
// scales[ky], 1 without factors (layer-wise scaling is absorbed into the thresholds).
int64_t syq_factor(const LayerConfig& layer, const LayerParams& params, int ky, int kx) {
    switch (layer.scaling.granularity) {
        case ScalingGranularity::Pixel: return params.scales[size_t(ky * layer.kernel_cols() + kx)];
        case ScalingGranularity::Row: return params.scales[size_t(ky)];
        case ScalingGranularity::Layer: return 1;
    }
    return 1;
}

// Arithmetic values of all input codes, in the same HWC order: the codes themselves, or for
// Bipolar inputs their values decoded into `decoded`.
const std::vector<int32_t>& values_of(const LayerConfig& layer, const FeatureMap& input,
                                      std::vector<int32_t>& decoded) {
    if (layer.in_encoding != Encoding::Bipolar) return input.data;
    decoded.resize(input.data.size());
    for (size_t i = 0; i < input.data.size(); ++i) decoded[i] = decode_value(input.data[i], layer.in_encoding);
    return decoded;
}

// The output of a conv layer whose dot products have the weights `w`, times `scale`.
FeatureMap conv_output(const LayerConfig& layer, const LayerParams& params, const WeightMatrix& w, int64_t scale,
                       const FeatureMap& input) {
    std::vector<int32_t> decoded;
    const int32_t pad_value = decode_value(0, layer.in_encoding);  // padding carries code 0
    const int64_t out_c = layer.out.channels;
    FeatureMap out(layer.out);
    PositionActivation activate_run(layer, params, scale);
    conv_accumulators(layer, w, values_of(layer, input, decoded), pad_value,
                      [&](int64_t first, int64_t count, const int64_t* acc) {
                          activate_run(acc, count * out_c, out.data.data() + first * out_c);
                      });
    return out;
}

// The output of an fc layer whose dot products have the weights `w`, times `scale`.
FeatureMap fc_output(const LayerConfig& layer, const LayerParams& params, const WeightMatrix& w, int64_t scale,
                     const FeatureMap& input) {
    // The feature map is stored in HWC order, so its data vector is already the flattened
    // input x[s] with s = (y * W + x) * C + c.
    std::vector<int32_t> decoded;
    const std::vector<int64_t> acc = fc_accumulators(w, values_of(layer, input, decoded));
    FeatureMap out(layer.out);
    PositionActivation(layer, params, scale)(acc.data(), layer.out.channels, out.data.data());
    return out;
}

// ---------------------------------------------------------------------------------------
// Layers

FeatureMap run_conv(const LayerConfig& layer, const LayerParams& params, const FeatureMap& input, LayerPlan* plan) {
    check_window_geometry(layer);
    const int groups = layer.groups;
    const int in_c = layer.in.channels;
    const int out_c = layer.out.channels;
    if (groups < 1) invalid(layer, "groups must be >= 1, got " + std::to_string(groups));
    if (in_c % groups != 0 || out_c % groups != 0)
        invalid(layer, "groups (" + std::to_string(groups) + ") must divide the input (" +
                           std::to_string(in_c) + ") and output (" + std::to_string(out_c) +
                           ") channels");

    const int k = layer.kernel, kw = layer.kernel_cols();
    const int cg = in_c / groups;          // input channels seen by one filter
    const int64_t fan_in = int64_t(k) * kw * cg;
    check_params(layer, params, fan_in);

    // SYQ: the dot product over kernel position (ky, kx) times its factor is the dot product
    // with every weight of that position times the factor.
    std::optional<WeightMatrix> local;
    const WeightMatrix& w = planned_weights(plan, local, [&] {
        return WeightMatrix(out_c, fan_in, [&](int64_t n, int64_t* row) {
            for (int ky = 0; ky < k; ++ky)
                for (int kx = 0; kx < kw; ++kx) {
                    const int64_t factor = syq_factor(layer, params, ky, kx);
                    for (int c = 0; c < cg; ++c) {
                        const int64_t s = (ky * kw + kx) * cg + c;
                        row[s] = factor * int64_t(params.weights[size_t(n * fan_in + s)]);
                    }
                }
        });
    });
    return conv_output(layer, params, w, 1, input);
}

FeatureMap run_fc(const LayerConfig& layer, const LayerParams& params, const FeatureMap& input, LayerPlan* plan) {
    if (layer.out.height != 1 || layer.out.width != 1)
        invalid(layer, "fc output must be 1x1xN, got " + shape_str(layer.out));
    if (layer.groups != 1)
        invalid(layer, "fc layers do not support groups (got " + std::to_string(layer.groups) + ")");
    const int64_t fan_in = layer.in.elements();
    check_params(layer, params, fan_in);
    std::optional<WeightMatrix> local;
    const WeightMatrix& w = planned_weights(plan, local, [&] {
        return WeightMatrix(layer.out.channels, fan_in, [&](int64_t n, int64_t* row) {
            std::copy(params.weights.begin() + n * fan_in, params.weights.begin() + (n + 1) * fan_in, row);
        });
    });
    return fc_output(layer, params, w, 1, input);
}

// ---------------------------------------------------------------------------------------
// RCCM layers (ch. 6.4-6.6): each select index stands for the coefficient of Table 6.2 that
// the circuit's codebook gives it; the dot product of those coefficients with the inputs is
// multiplied by the layer's lambda_l before the activation.

std::vector<int64_t> rccm_weight_values(const LayerConfig& layer, const LayerParams& params) {
    const RccmCodebook book = make_rccm_codebook(rccm_circuit(layer.weights.rccm));
    std::vector<int64_t> values;
    values.reserve(params.selects.size());
    for (uint8_t s : params.selects) {
        if (s >= book.by_select.size())
            invalid(layer, "select index " + std::to_string(s) + " outside the " +
                               std::to_string(book.by_select.size()) + " codes of " + rccm_name(layer.weights.rccm));
        values.push_back(rccm_decode(book, s));
    }
    return values;
}

FeatureMap run_conv_rccm(const LayerConfig& layer, const LayerParams& params, const FeatureMap& input,
                         LayerPlan* plan) {
    check_window_geometry(layer);
    const int groups = layer.groups;
    const int in_c = layer.in.channels;
    const int out_c = layer.out.channels;
    if (groups < 1 || in_c % groups != 0 || out_c % groups != 0)
        invalid(layer, "groups (" + std::to_string(groups) + ") must divide the input and output channels");
    const int k = layer.kernel, kw = layer.kernel_cols();
    const int cg = in_c / groups;
    const int64_t fan_in = int64_t(k) * kw * cg;
    check_params(layer, params, fan_in);
    std::optional<WeightMatrix> local;
    const WeightMatrix& w =
        planned_weights(plan, local, [&] { return WeightMatrix(rccm_weight_values(layer, params), out_c); });
    return conv_output(layer, params, w, params.lambda, input);
}

FeatureMap run_fc_rccm(const LayerConfig& layer, const LayerParams& params, const FeatureMap& input, LayerPlan* plan) {
    if (layer.out.height != 1 || layer.out.width != 1)
        invalid(layer, "fc output must be 1x1xN, got " + shape_str(layer.out));
    const int64_t fan_in = layer.in.elements();
    check_params(layer, params, fan_in);
    std::optional<WeightMatrix> local;
    const WeightMatrix& w = planned_weights(
        plan, local, [&] { return WeightMatrix(rccm_weight_values(layer, params), layer.out.channels); });
    return fc_output(layer, params, w, params.lambda, input);
}

// The codes an unsigned or signed output of out_bits can hold (the sums of add and
// global_avgpool must lie in them).
static std::pair<int64_t, int64_t> output_code_range(const LayerConfig& layer) {
    if (layer.out_encoding == Encoding::Signed)
        return {-(int64_t(1) << (layer.out_bits - 1)), (int64_t(1) << (layer.out_bits - 1)) - 1};
    return {0, (int64_t(1) << layer.out_bits) - 1};
}

FeatureMap run_maxpool(const LayerConfig& layer, const FeatureMap& input) {
    check_window_geometry(layer);
    if (layer.out.channels != layer.in.channels)
        invalid(layer, "max pooling keeps the channel count, but input has " +
                           std::to_string(layer.in.channels) + " and output " +
                           std::to_string(layer.out.channels));
    const int k = layer.kernel, kw = layer.kernel_cols(), channels = layer.out.channels;
    FeatureMap out(layer.out);
    for (int oy = 0; oy < layer.out.height; ++oy) {
        for (int ox = 0; ox < layer.out.width; ++ox) {
            // Every channel at once: the first window position inside the input, then the max
            // with each further one (padded positions are skipped: they never win).
            int32_t* best = &out.at(oy, ox, 0);
            bool found = false;
            for (int ky = 0; ky < k; ++ky) {
                const int iy = oy * layer.stride - layer.pad_begin + ky;
                if (iy < 0 || iy >= layer.in.height) continue;
                for (int kx = 0; kx < kw; ++kx) {
                    const int ix = ox * layer.col_stride() - layer.col_pad_begin() + kx;
                    if (ix < 0 || ix >= layer.in.width) continue;
                    const int32_t* code = input.data.data() + (size_t(iy) * layer.in.width + ix) * channels;
                    for (int c = 0; c < channels; ++c) best[c] = found ? std::max(best[c], code[c]) : code[c];
                    found = true;
                }
            }
            if (!found)
                invalid(layer, "pooling window at output (" + std::to_string(oy) + ", " +
                                   std::to_string(ox) + ") covers only padding");
        }
    }
    return out;
}

// The sum of each K x K window's values (no padding), which must fit the output's bits.
FeatureMap run_avgpool(const LayerConfig& layer, const FeatureMap& input) {
    check_window_geometry(layer);
    if (layer.pad_begin != 0 || layer.pad_end != 0) invalid(layer, "an avgpool layer takes no padding");
    const auto [lo, hi] = output_code_range(layer);
    FeatureMap out(layer.out);
    for (int oy = 0; oy < layer.out.height; ++oy)
        for (int ox = 0; ox < layer.out.width; ++ox)
            for (int c = 0; c < layer.out.channels; ++c) {
                int64_t sum = 0;
                for (int ky = 0; ky < layer.kernel; ++ky)
                    for (int kx = 0; kx < layer.kernel_cols(); ++kx)
                        sum += decode_value(input.at(oy * layer.stride + ky, ox * layer.col_stride() + kx, c),
                                            layer.in_encoding);
                if (sum < lo || sum > hi) invalid(layer, "sum " + std::to_string(sum) + " outside the output's range");
                out.at(oy, ox, c) = int32_t(sum);
            }
    return out;
}

FeatureMap run_global_maxpool(const LayerConfig& layer, const FeatureMap& input) {
    if (layer.out.height != 1 || layer.out.width != 1 || layer.out.channels != layer.in.channels)
        invalid(layer, "global max pooling output must be 1x1x" +
                           std::to_string(layer.in.channels) + ", got " + shape_str(layer.out));
    FeatureMap out(layer.out);
    for (int c = 0; c < layer.in.channels; ++c) {
        int32_t best = input.at(0, 0, c);
        for (int y = 0; y < layer.in.height; ++y)
            for (int x = 0; x < layer.in.width; ++x)
                if (input.at(y, x, c) > best) best = input.at(y, x, c);
        out.at(0, 0, c) = best;
    }
    return out;
}

}  // namespace

// The sum of every position's value per channel, which must fit the output's bits.
FeatureMap run_global_sum(const LayerConfig& layer, const FeatureMap& input) {
    const int C = layer.in.channels;
    std::vector<int64_t> sum(size_t(C), 0);
    for (size_t i = 0; i < input.data.size(); ++i) sum[i % size_t(C)] += decode_value(input.data[i], layer.in_encoding);
    const auto [lo, hi] = output_code_range(layer);
    FeatureMap out(layer.out);
    for (int c = 0; c < C; ++c) {
        if (sum[size_t(c)] < lo || sum[size_t(c)] > hi)
            invalid(layer, "sum " + std::to_string(sum[size_t(c)]) + " outside the output's range");
        out.data[size_t(c)] = int32_t(sum[size_t(c)]);
    }
    return out;
}

// The indices of the k largest values, the largest first; a stable sort keeps equal values in
// index order.
FeatureMap run_topk(const LayerConfig& layer, const FeatureMap& input) {
    if (layer.in.height != 1 || layer.in.width != 1) invalid(layer, "topk reads a 1 x 1 x C vector");
    if (layer.top_k < 1 || layer.top_k > layer.in.channels || layer.out.channels != layer.top_k)
        invalid(layer, "k = " + std::to_string(layer.top_k) + " must lie in 1 .. C and be the output's channels");
    std::vector<int> order(size_t(layer.in.channels));
    for (size_t c = 0; c < order.size(); ++c) order[c] = int(c);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return decode_value(input.at(0, 0, a), layer.in_encoding) > decode_value(input.at(0, 0, b), layer.in_encoding);
    });
    FeatureMap out(layer.out);
    for (int n = 0; n < layer.top_k; ++n) out.at(0, 0, n) = order[size_t(n)];
    return out;
}

FeatureMap run_layer(const LayerConfig& layer, const LayerParams& params, const FeatureMap& input, LayerPlan* plan) {
    check_input_shape(layer, input);
    check_input_codes(layer, input);
    switch (layer.type) {
        case LayerType::Conv:
            if (layer.weights.quant == WeightQuant::Rccm) return run_conv_rccm(layer, params, input, plan);
            return run_conv(layer, params, input, plan);
        case LayerType::Fc:
            if (layer.weights.quant == WeightQuant::Rccm) return run_fc_rccm(layer, params, input, plan);
            return run_fc(layer, params, input, plan);
        case LayerType::MaxPool: return run_maxpool(layer, input);
        case LayerType::AvgPool: return run_avgpool(layer, input);
        case LayerType::GlobalMaxPool: return run_global_maxpool(layer, input);
        case LayerType::GlobalAvgPool: return run_global_sum(layer, input);
        case LayerType::TopK: return run_topk(layer, input);
        case LayerType::Add: invalid(layer, "an add layer takes two inputs (run_add)");
        case LayerType::Concat: invalid(layer, "a concat layer takes two or more inputs (run_concat)");
    }
    invalid(layer, "unknown layer type");
}

FeatureMap run_add(const LayerConfig& layer, const LayerParams& params, const FeatureMap& a, const FeatureMap& b) {
    if (layer.type != LayerType::Add) invalid(layer, "run_add on a layer that is not an add layer");
    const bool requantised = layer.activation.type != ActivationType::None;
    if (requantised) check_activation_params(layer, params);
    check_input_shape(layer, a);
    check_input_shape(layer, b);
    check_input_codes(layer, a);
    LayerConfig second = layer;
    second.in_encoding = layer.in2_encoding;
    second.in_bits = layer.in2_bits;
    check_input_codes(second, b);
    const auto [lo, hi] = output_code_range(layer);
    FeatureMap out(layer.out);
    for (size_t i = 0; i < a.data.size(); ++i) {
        const int64_t sum =
            int64_t(decode_value(a.data[i], layer.in_encoding)) + decode_value(b.data[i], layer.in2_encoding);
        if (requantised) {
            out.data[i] = activate(layer, params, int(i % size_t(layer.out.channels)), sum);
            continue;
        }
        if (sum < lo || sum > hi) invalid(layer, "sum " + std::to_string(sum) + " outside the output's range");
        out.data[i] = int32_t(sum);
    }
    return out;
}

FeatureMap run_concat(const LayerConfig& layer, const std::vector<const FeatureMap*>& inputs) {
    if (layer.type != LayerType::Concat) invalid(layer, "run_concat on a layer that is not a concat layer");
    if (inputs.size() != layer.concat_inputs.size() || inputs.size() < 2)
        invalid(layer, "a concat layer of " + std::to_string(layer.concat_inputs.size()) + " inputs given " +
                           std::to_string(inputs.size()));
    int channels = 0;
    for (size_t k = 0; k < inputs.size(); ++k) {
        LayerConfig part = layer;
        part.in = FmShape{layer.in.height, layer.in.width, layer.concat_inputs[k].channels};
        part.in_encoding = layer.concat_inputs[k].encoding;
        part.in_bits = layer.concat_inputs[k].bits;
        check_input_shape(part, *inputs[k]);
        check_input_codes(part, *inputs[k]);
        channels += part.in.channels;
    }
    if (channels != layer.out.channels)
        invalid(layer, "the inputs' " + std::to_string(channels) + " channels are not the output's " +
                           std::to_string(layer.out.channels));
    // A code passes as it is when its encoding is the output's; otherwise as its value.
    FeatureMap out(layer.out);
    for (int y = 0; y < layer.out.height; ++y)
        for (int x = 0; x < layer.out.width; ++x) {
            int first = 0;  // the output channel of this input's first channel
            for (size_t k = 0; k < inputs.size(); ++k) {
                const Encoding e = layer.concat_inputs[k].encoding;
                for (int c = 0; c < layer.concat_inputs[k].channels; ++c) {
                    const int32_t code = inputs[k]->at(y, x, c);
                    out.at(y, x, first + c) = e == layer.out_encoding ? code : decode_value(code, e);
                }
                first += layer.concat_inputs[k].channels;
            }
        }
    return out;
}

FeatureMap run_concat(const LayerConfig& layer, const FeatureMap& a, const FeatureMap& b) {
    return run_concat(layer, std::vector<const FeatureMap*>{&a, &b});
}

void check_network(const NetworkConfig& net, const NetworkParams& params) {
    if (params.layers.size() != net.layers.size())
        throw std::invalid_argument("golden: network '" + net.name + "' has " +
                                    std::to_string(net.layers.size()) +
                                    " layers but the parameters have " +
                                    std::to_string(params.layers.size()) + " entries");
    // A layer and the layers it reads must agree on how the codes between them are encoded.
    for (size_t i = 1; i < net.layers.size(); ++i) {
        const LayerConfig& next = net.layers[i];
        const std::vector<int> from = net.inputs_of(i);
        for (size_t k = 0; k < from.size(); ++k) {
            if (from[k] < 0) continue;
            const LayerConfig& prev = net.layers[size_t(from[k])];
            const Encoding e = next.type == LayerType::Concat ? next.concat_inputs.at(k).encoding
                               : k == 0                         ? next.in_encoding
                                                                : next.in2_encoding;
            const int bits = next.type == LayerType::Concat ? next.concat_inputs.at(k).bits
                             : k == 0                         ? next.in_bits
                                                              : next.in2_bits;
            if (prev.out_encoding != e || prev.out_bits != bits)
                invalid(next, std::string("input encoding ") + to_string(e) + "/" + std::to_string(bits) +
                                  " bits does not match the output " + to_string(prev.out_encoding) + "/" +
                                  std::to_string(prev.out_bits) + " bits of layer '" + prev.name + "'");
        }
    }
}

FeatureMap run_network_layer(const NetworkConfig& net, const NetworkParams& params, size_t i,
                             const std::function<const FeatureMap&(int)>& output_of, LayerPlan* plan) {
    const std::vector<int> from = net.inputs_of(i);
    auto in = [&](size_t k) -> const FeatureMap& { return output_of(from.at(k)); };
    if (net.layers[i].type == LayerType::Add) return run_add(net.layers[i], params.layers.at(i), in(0), in(1));
    if (net.layers[i].type == LayerType::Concat) {
        std::vector<const FeatureMap*> ins;
        for (size_t k = 0; k < from.size(); ++k) ins.push_back(&in(k));
        return run_concat(net.layers[i], ins);
    }
    return run_layer(net.layers[i], params.layers.at(i), in(0), plan);
}

std::vector<FeatureMap> run_network(const NetworkConfig& net, const NetworkParams& params,
                                    const FeatureMap& input, std::vector<LayerPlan>* plans) {
    check_network(net, params);
    if (plans) plans->resize(net.layers.size());
    std::vector<FeatureMap> outputs;
    outputs.reserve(net.layers.size());
    const auto output_of = [&](int l) -> const FeatureMap& { return l < 0 ? input : outputs.at(size_t(l)); };
    for (size_t i = 0; i < net.layers.size(); ++i)
        outputs.push_back(run_network_layer(net, params, i, output_of, plans ? &(*plans)[i] : nullptr));
    return outputs;
}

}  // namespace qsim::golden
