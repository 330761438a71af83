// Hand-built configurations for unit tests that must not depend on the YAML loader:
// conv_layer / fc_layer give one layer's geometry, set_operands its operand types, and
// NetBuilder chains layers into a NetworkConfig (mixed_net is one such network). Each fills
// the derived fields the loader would fill (output shape, encodings and widths, datapath) and
// leaves every other field at its LayerConfig default. Also: expect_same compares two
// NetworkParams, and window_input_rows gives the input rows one window row is built from.
// Header-only; everything is inline, so tests of both test binaries may include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "models/common/feature_map.hpp"
#include "models/common/rng.hpp"
#include "models/network/layer_params.hpp"
#include "sim/design/folding_rules.hpp"
#include "models/network/network_config.hpp"
#include "models/rccm/rccm_topology.hpp"
#include "models/swu/window_kernel.hpp"

namespace qsim::testing_support {

// The datapath the loader chooses for these operands (ch. 4.6.2).
inline Datapath datapath_for(WeightQuant q, Encoding in) { return derive_datapath(q, in); }

// A conv layer: kernel x kernel windows, `stride`, `pad` rows/columns on every side, over an
// `in` feature map, with `out_channels` outputs; the output height and width are derived.
// `filters` stays 0: set it where the source filter count matters.
inline LayerConfig conv_layer(const std::string& name, int kernel, int stride, int pad, FmShape in,
                              int out_channels, int groups = 1) {
    LayerConfig l;
    l.name = name;
    l.type = LayerType::Conv;
    l.kernel = kernel;
    l.stride = stride;
    l.pad_begin = l.pad_end = pad;
    l.groups = groups;
    l.in = in;
    l.out = {(in.height + 2 * pad - kernel) / stride + 1, (in.width + 2 * pad - kernel) / stride + 1,
             out_channels};
    return l;
}

// An fc layer over every element of `in`, with `outputs` outputs. `filters` stays 0.
inline LayerConfig fc_layer(const std::string& name, FmShape in, int outputs) {
    LayerConfig l;
    l.name = name;
    l.type = LayerType::Fc;
    l.in = in;
    l.out = {1, 1, outputs};
    return l;
}

// Sets the operands of compute layer `l` as given, and derives from them its output encoding
// and width (from the activation) and its datapath.
inline void set_operands(LayerConfig& l, Encoding in, int in_bits, const WeightQuantConfig& weights,
                         const ActivationConfig& activation) {
    l.in_encoding = in;
    l.in_bits = in_bits;
    l.weights = weights;
    l.activation = activation;
    l.out_encoding = activation.type == ActivationType::Bipolar ? Encoding::Bipolar
                     : activation.type == ActivationType::None  ? Encoding::Accumulator
                                                                 : Encoding::Unsigned;
    l.out_bits = activation.bits;
    l.datapath = datapath_for(weights.quant, in);
    if (l.datapath == Datapath::Rccm) l.activation_unit = LayerConfig::ActivationUnit::AfterFanIn;
}

// A network of the one layer `l`, its input the layer's input shape and width.
inline NetworkConfig one_layer_net(const LayerConfig& l) {
    NetworkConfig net;
    net.name = "one";
    net.input.shape = l.in;
    net.input.bits = l.in_bits;
    net.layers.push_back(l);
    return net;
}

// A feature map of shape `s` with values uniform in 0 .. levels - 1, from `seed`.
inline FeatureMap random_map(FmShape s, int levels, uint64_t seed) {
    FeatureMap fm(s);
    Rng rng(seed);
    for (auto& v : fm.data) v = int32_t(rng.below(uint32_t(levels)));
    return fm;
}

// An fc layer of `n` outputs over `fan_in` inputs whose weights are select indices of the RCCM
// `kind`, folded PE x SIMD.
inline LayerConfig rccm_fc_layer(int fan_in, int n, RccmKind kind, Encoding in, int in_bits, int pe, int simd,
                                 const ActivationConfig& act) {
    LayerConfig l = fc_layer("fc", {1, 1, fan_in}, n);
    WeightQuantConfig w;
    w.quant = WeightQuant::Rccm;
    w.rccm = kind;
    w.bits = rccm_select_bits(kind);
    set_operands(l, in, in_bits, w, act);
    l.folding = {pe, simd, 1};
    return l;
}

// Builds a NetworkConfig layer by layer: every layer reads the shape, encoding and width the
// previous one produces. Compute layers get the weight storage width of their quantisation
// (binary 1, ternary 2, uniform `qbits`), the activation width of their type (bipolar 1,
// none 32, otherwise `abits`), and the float-import parameters set by float_import().
class NetBuilder {
public:
    NetBuilder(int h, int w, int c, int bits = 8, bool is_signed = false) {
        cfg_.name = "test";
        cfg_.source_file = "test.yaml";
        cfg_.input.shape = {h, w, c};
        cfg_.input.bits = bits;
        cfg_.input.is_signed = is_signed;
        cur_ = {h, w, c};
        enc_ = is_signed ? Encoding::Signed : Encoding::Unsigned;
        bits_ = bits;
    }
    // Ternary threshold eta and uniform scale written into the compute layers added after this
    // call (LayerConfig's defaults, 0 and 1, until it is called).
    NetBuilder& float_import(double ternary_threshold, double uniform_scale) {
        threshold_ = ternary_threshold;
        scale_ = uniform_scale;
        return *this;
    }
    NetBuilder& conv(const std::string& name, int k, int filters, WeightQuant q, int qbits,
                     ActivationType a, int abits, int pad = 0, int groups = 1, int stride = 1) {
        LayerConfig L = conv_layer(name, k, stride, pad, cur_, filters, groups);
        L.filters = filters;
        return compute(L, q, qbits, a, abits);
    }
    NetBuilder& fc(const std::string& name, int outputs, WeightQuant q, int qbits, ActivationType a,
                   int abits) {
        LayerConfig L = fc_layer(name, cur_, outputs);
        L.filters = outputs;
        return compute(L, q, qbits, a, abits);
    }
    NetBuilder& maxpool(const std::string& name, int k) {
        LayerConfig L;
        L.name = name;
        L.type = LayerType::MaxPool;
        L.kernel = k;
        L.stride = k;
        L.in = cur_;
        L.out = {cur_.height / k, cur_.width / k, cur_.channels};
        L.in_encoding = L.out_encoding = enc_;
        L.in_bits = L.out_bits = bits_;
        return add(L);
    }
    NetworkConfig build() const { return cfg_; }

private:
    NetBuilder& compute(LayerConfig& L, WeightQuant q, int qbits, ActivationType a, int abits) {
        const int wbits = q == WeightQuant::Binary ? 1 : q == WeightQuant::Ternary ? 2 : qbits;
        const int obits = a == ActivationType::Bipolar ? 1 : a == ActivationType::None ? 32 : abits;
        set_operands(L, enc_, bits_, {q, wbits, threshold_, scale_}, {a, obits});
        return add(L);
    }
    NetBuilder& add(const LayerConfig& L) {
        cur_ = L.out;
        enc_ = L.out_encoding;
        bits_ = L.out_bits;
        cfg_.layers.push_back(L);
        return *this;
    }

    NetworkConfig cfg_;
    FmShape cur_;
    Encoding enc_;
    int bits_;
    double threshold_ = WeightQuantConfig{}.threshold;
    double scale_ = WeightQuantConfig{}.scale;
};

// One layer of every kind, built onto `input` (the generator and weight-file tests start from an
// 8x8x3 input): conv1 (3x3, pad 1, 16 binary filters, 2-bit thresholds) -> pool1 (2x2 max) ->
// conv2 (3x3, pad 1, 2 groups, 16 ternary filters, relu 3) -> fc1 (32, uniform 4, bipolar) ->
// fc2 (15, binary on bipolar input, thresholds 2) -> fc3 (10, uniform 3, none).
inline NetworkConfig mixed_net(NetBuilder input) {
    return input
        .conv("conv1", 3, 16, WeightQuant::Binary, 1, ActivationType::Thresholds, 2, 1)
        .maxpool("pool1", 2)
        .conv("conv2", 3, 16, WeightQuant::Ternary, 2, ActivationType::Relu, 3, 1, 2)
        .fc("fc1", 32, WeightQuant::Uniform, 4, ActivationType::Bipolar, 1)
        .fc("fc2", 15, WeightQuant::Binary, 1, ActivationType::Thresholds, 2)
        .fc("fc3", 10, WeightQuant::Uniform, 3, ActivationType::None, 32)
        .build();
}

// Expects two parameter sets (generated, or read back from a file) to agree layer by layer.
inline void expect_same(const NetworkParams& a, const NetworkParams& b) {
    ASSERT_EQ(a.layers.size(), b.layers.size());
    for (size_t l = 0; l < a.layers.size(); ++l) {
        SCOPED_TRACE("layer " + std::to_string(l));
        EXPECT_EQ(a.layers[l].layer, b.layers[l].layer);
        EXPECT_EQ(a.layers[l].weights, b.layers[l].weights);
        EXPECT_EQ(a.layers[l].thresholds, b.layers[l].thresholds);
        EXPECT_EQ(a.layers[l].bias, b.layers[l].bias);
        EXPECT_EQ(a.layers[l].mul, b.layers[l].mul);
        EXPECT_EQ(a.layers[l].shift, b.layers[l].shift);
        EXPECT_EQ(a.layers[l].selects, b.layers[l].selects);
        EXPECT_EQ(a.layers[l].lambda, b.layers[l].lambda);
    }
}

// The input rows output row `out_row` of windowed layer `l` covers, taken from the whole frame
// `fm`: one pointer per kernel row, nullptr where the row is padding.
inline std::vector<const int32_t*> window_input_rows(const LayerConfig& l, const FeatureMap& fm, int out_row) {
    std::vector<const int32_t*> rows(size_t(l.kernel));
    for (int ky = 0; ky < l.kernel; ++ky) {
        const int iy = swu_first_input_row(l, out_row) + ky;
        rows[size_t(ky)] = (iy < 0 || iy >= l.in.height)
                               ? nullptr
                               : fm.data.data() + size_t(iy) * l.in.width * l.in.channels;
    }
    return rows;
}

}  // namespace qsim::testing_support
