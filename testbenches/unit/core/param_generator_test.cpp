// Tests of the deterministic parameter generator (param_generator.hpp) and of the float weight
// quantisers (quantizer.hpp). Configurations are built by hand so that these tests do not
// depend on the YAML loader.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <set>

#include "models/common/rng.hpp"
#include "models/network/param_generator.hpp"
#include "models/network/quantizer.hpp"
#include "testbenches/unit/net_builder.hpp"

namespace qsim {
namespace param_generator_test {

using testing_support::expect_same;
using testing_support::NetBuilder;

// The hand-built nets of these tests: float import with ternary eta 0.05 and uniform scale 0.25.
NetBuilder net_builder(int h, int w, int c, int bits = 8, bool is_signed = false) {
    return NetBuilder(h, w, c, bits, is_signed).float_import(0.05, 0.25);
}

// conv (binary, 2-bit thresholds) -> pool -> grouped conv (ternary, relu 3) -> fc (uniform 4,
// bipolar) -> fc (binary on bipolar input, thresholds 2) -> fc (uniform 3, none).
NetworkConfig mixed_net() { return testing_support::mixed_net(net_builder(8, 8, 3)); }

// A random input value drawn from the distribution the generator assumes.
int32_t draw_input(Rng& rng, Encoding e, int bits) {
    switch (e) {
        case Encoding::Unsigned: return int32_t(rng.below(1u << bits));
        case Encoding::Signed: return int32_t(rng.below(1u << bits)) - (1 << (bits - 1));
        case Encoding::Bipolar: return rng.below(2) ? 1 : -1;
        default: return 0;
    }
}

// The activation function of types.hpp, written out independently.
int32_t activate(const LayerConfig& L, const LayerParams& p, size_t n, int64_t acc) {
    switch (L.activation.type) {
        case ActivationType::Thresholds: {
            const size_t T = size_t(L.thresholds_per_channel());
            int32_t code = 0;
            for (size_t j = 0; j < T; ++j) code += acc >= p.thresholds[n * T + j] ? 1 : 0;
            return code;
        }
        case ActivationType::Bipolar: return acc >= p.thresholds[n] ? 1 : 0;
        case ActivationType::Relu: {
            int64_t v = ((acc + p.bias[n]) * p.mul + (int64_t(1) << (p.shift - 1))) >> p.shift;
            return int32_t(std::clamp<int64_t>(v, 0, (int64_t(1) << L.activation.bits) - 1));
        }
        case ActivationType::None: return int32_t(acc);
    }
    return 0;
}

// ------------------------------------------------------------------------------------------

TEST(ParamGenerator, SameSeedGivesIdenticalParams) {
    const NetworkConfig cfg = mixed_net();
    expect_same(generate_params(cfg, 42, 0.3), generate_params(cfg, 42, 0.3));
}

TEST(ParamGenerator, DifferentSeedGivesDifferentWeights) {
    const NetworkConfig cfg = mixed_net();
    const NetworkParams a = generate_params(cfg, 1, 0.3), b = generate_params(cfg, 2, 0.3);
    for (size_t l = 0; l < cfg.layers.size(); ++l)
        if (cfg.layers[l].is_compute()) {
            EXPECT_NE(a.layers[l].weights, b.layers[l].weights) << l;
        }
}

TEST(ParamGenerator, LayersAreIndependentStreams) {
    // The weights of a layer depend only on (seed, layer index, layer shape/quant).
    NetworkConfig cfg = mixed_net();
    const NetworkParams a = generate_params(cfg, 5, 0.0);
    cfg.layers.back().filters = cfg.layers.back().out.channels = 12;  // change only fc3
    const NetworkParams b = generate_params(cfg, 5, 0.0);
    EXPECT_EQ(a.layers[0].weights, b.layers[0].weights);
    EXPECT_EQ(a.layers[3].weights, b.layers[3].weights);
    EXPECT_EQ(std::vector<int8_t>(b.layers[5].weights.begin(), b.layers[5].weights.begin() + 150),
              std::vector<int8_t>(a.layers[5].weights.begin(), a.layers[5].weights.begin() + 150));
}

TEST(ParamGenerator, ShapesNamesAndPoolEntries) {
    const NetworkConfig cfg = mixed_net();
    const NetworkParams p = generate_params(cfg, 3, 0.2);
    ASSERT_EQ(p.layers.size(), cfg.layers.size());
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        const LayerConfig& L = cfg.layers[l];
        const LayerParams& P = p.layers[l];
        SCOPED_TRACE(L.name);
        if (!L.is_compute()) {
            EXPECT_TRUE(P.layer.empty());
            EXPECT_TRUE(P.weights.empty() && P.thresholds.empty() && P.bias.empty());
            continue;
        }
        EXPECT_EQ(P.layer, L.name);
        EXPECT_EQ(int64_t(P.weights.size()), L.weight_count());
        EXPECT_EQ(P.thresholds.size(), size_t(L.out.channels) * size_t(L.thresholds_per_channel()));
        EXPECT_EQ(P.bias.size(), L.activation.type == ActivationType::Relu ? size_t(L.out.channels) : 0u);
        EXPECT_GE(P.shift, 1);
        EXPECT_GE(P.mul, 1);
    }
    EXPECT_EQ(cfg.layers[2].fan_in(), 3 * 3 * 8);  // grouped conv: in.channels / groups
}

TEST(ParamGenerator, ValueRangesPerQuantisation) {
    const NetworkConfig cfg = mixed_net();
    const NetworkParams p = generate_params(cfg, 11, 0.25);
    // conv1 binary: only +-1, both present, no zeros even with sparsity.
    std::set<int> v1(p.layers[0].weights.begin(), p.layers[0].weights.end());
    EXPECT_EQ(v1, (std::set<int>{-1, 1}));
    // conv2 ternary.
    std::set<int> v2(p.layers[2].weights.begin(), p.layers[2].weights.end());
    EXPECT_EQ(v2, (std::set<int>{-1, 0, 1}));
    // fc1 uniform 4 bit: [-7, 7], every value used, never -8.
    std::set<int> v3(p.layers[3].weights.begin(), p.layers[3].weights.end());
    EXPECT_EQ(*v3.begin(), -7);
    EXPECT_EQ(*v3.rbegin(), 7);
    EXPECT_EQ(v3.size(), 15u);
    // fc3 uniform 3 bit: [-3, 3].
    for (int8_t w : p.layers[5].weights) EXPECT_TRUE(w >= -3 && w <= 3);
}

TEST(ParamGenerator, UniformTwoBitAndEightBitRanges) {
    const NetworkConfig cfg = net_builder(1, 1, 64)
                                  .fc("a", 64, WeightQuant::Uniform, 2, ActivationType::Relu, 4)
                                  .fc("b", 64, WeightQuant::Uniform, 8, ActivationType::Relu, 4)
                                  .build();
    const NetworkParams p = generate_params(cfg, 9, 0.0);
    std::set<int> a(p.layers[0].weights.begin(), p.layers[0].weights.end());
    EXPECT_EQ(a, (std::set<int>{-1, 1}));
    std::set<int> b(p.layers[1].weights.begin(), p.layers[1].weights.end());
    EXPECT_EQ(*b.begin(), -127);
    EXPECT_EQ(*b.rbegin(), 127);
    EXPECT_EQ(b.count(0), 0u);
    EXPECT_EQ(b.size(), 254u);
}

TEST(ParamGenerator, SparsityFractionMatchesRequest) {
    const NetworkConfig cfg = net_builder(1, 1, 256)
                                  .fc("t", 256, WeightQuant::Ternary, 2, ActivationType::Thresholds, 2)
                                  .fc("u", 256, WeightQuant::Uniform, 4, ActivationType::Thresholds, 2)
                                  .fc("b", 64, WeightQuant::Binary, 1, ActivationType::Thresholds, 2)
                                  .build();
    for (double s : {0.0, 0.1, 0.5, 0.9}) {
        const NetworkParams p = generate_params(cfg, 77, s);
        for (size_t l = 0; l < 2; ++l) {
            const auto& w = p.layers[l].weights;
            double zeros = double(std::count(w.begin(), w.end(), int8_t(0))) / double(w.size());
            EXPECT_NEAR(zeros, s, 0.015) << "layer " << l << " sparsity " << s;
            if (s == 0.0) {
                EXPECT_EQ(zeros, 0.0);
            }
            // Nonzero weights are symmetric.
            int64_t sum = 0;
            for (int8_t x : w) sum += x;
            EXPECT_LT(std::fabs(double(sum)) / double(w.size()), 0.1);
        }
        EXPECT_EQ(std::count(p.layers[2].weights.begin(), p.layers[2].weights.end(), int8_t(0)), 0);
    }
}

TEST(ParamGenerator, RejectsInvalidSparsity) {
    const NetworkConfig cfg = mixed_net();
    EXPECT_THROW(generate_params(cfg, 1, -0.1), ConfigError);
    EXPECT_THROW(generate_params(cfg, 1, 1.5), ConfigError);
    EXPECT_THROW(generate_params(cfg, 1, std::nan("")), ConfigError);
    try {
        generate_params(cfg, 1, 2.0);
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("weights.generator.sparsity"), std::string::npos);
    }
}

TEST(ParamGenerator, ThresholdsAscendingWithExpectedLength) {
    const NetworkConfig cfg = mixed_net();
    const NetworkParams p = generate_params(cfg, 4, 0.3);
    for (size_t l = 0; l < cfg.layers.size(); ++l) {
        const LayerConfig& L = cfg.layers[l];
        if (!L.is_compute()) continue;
        const size_t T = size_t(L.thresholds_per_channel());
        ASSERT_EQ(p.layers[l].thresholds.size(), size_t(L.out.channels) * T) << L.name;
        for (size_t n = 0; n < size_t(L.out.channels); ++n)
            for (size_t j = 1; j < T; ++j)
                EXPECT_LT(p.layers[l].thresholds[n * T + j - 1], p.layers[l].thresholds[n * T + j])
                    << L.name << " channel " << n;
    }
    EXPECT_EQ(cfg.layers[0].thresholds_per_channel(), 3);
    EXPECT_EQ(cfg.layers[3].thresholds_per_channel(), 1);
}

TEST(ParamGenerator, ThresholdsFollowTheAnalyticFormula) {
    // conv1: unsigned 8-bit input, binary weights: mean = 127.5 * sum(w),
    // sd = sqrt((65536 - 1) / 12 * fan_in); thresholds at the quartiles.
    const NetworkConfig cfg = mixed_net();
    const NetworkParams p = generate_params(cfg, 8, 0.0);
    const LayerConfig& L = cfg.layers[0];
    const auto& w = p.layers[0].weights;
    const size_t F = size_t(L.fan_in());
    const double z75 = 0.6744897501960817;
    for (size_t n = 0; n < size_t(L.out.channels); ++n) {
        int64_t s = 0;
        for (size_t i = 0; i < F; ++i) s += w[n * F + i];
        const double mean = 127.5 * double(s);
        const double sd = std::sqrt(65535.0 / 12.0 * double(F));
        EXPECT_EQ(p.layers[0].thresholds[n * 3 + 0], int32_t(std::round(mean - z75 * sd)));
        EXPECT_EQ(p.layers[0].thresholds[n * 3 + 1], int32_t(std::round(mean)));
        EXPECT_EQ(p.layers[0].thresholds[n * 3 + 2], int32_t(std::round(mean + z75 * sd)));
    }
    // conv2 relu: bias = -round(mean), shift 16, mul for 3 sd of the widest channel.
    const LayerConfig& C2 = cfg.layers[2];
    const auto& w2 = p.layers[2].weights;
    const size_t F2 = size_t(C2.fan_in());
    const double mu = 1.5, var = (16.0 - 1) / 12.0;  // 2-bit unsigned input
    double sd_max = 1;
    for (size_t n = 0; n < size_t(C2.out.channels); ++n) {
        int64_t s = 0, s2 = 0;
        for (size_t i = 0; i < F2; ++i) {
            s += w2[n * F2 + i];
            s2 += w2[n * F2 + i] * w2[n * F2 + i];
        }
        EXPECT_EQ(p.layers[2].bias[n], -int32_t(std::round(mu * double(s))));
        sd_max = std::max(sd_max, std::sqrt(var * double(s2)));
    }
    EXPECT_EQ(p.layers[2].shift, 16);
    EXPECT_EQ(p.layers[2].mul, int32_t(std::round(7.0 * 65536.0 / (3.0 * sd_max))));
}

TEST(ParamGenerator, EveryOutputCodeOccursForRandomInputs) {
    // Signed and unsigned inputs, every quantisation and activation.
    std::vector<NetworkConfig> nets = {
        mixed_net(),
        net_builder(1, 1, 40, 4, true)
            .fc("s1", 8, WeightQuant::Ternary, 2, ActivationType::Thresholds, 3)
            .fc("s2", 8, WeightQuant::Uniform, 5, ActivationType::Relu, 4)
            .fc("s3", 24, WeightQuant::Binary, 1, ActivationType::Bipolar, 1)
            .fc("s4", 6, WeightQuant::Ternary, 2, ActivationType::Thresholds, 2)
            .build()};
    for (const NetworkConfig& cfg : nets) {
        for (double sparsity : {0.0, 0.4}) {
            const NetworkParams p = generate_params(cfg, 1234, sparsity);
            Rng rng(99);
            for (size_t l = 0; l < cfg.layers.size(); ++l) {
                const LayerConfig& L = cfg.layers[l];
                if (!L.is_compute() || L.activation.type == ActivationType::None) continue;
                SCOPED_TRACE(L.name + " sparsity " + std::to_string(sparsity));
                const size_t F = size_t(L.fan_in()), N = size_t(L.out.channels);
                const int codes = L.activation.type == ActivationType::Bipolar ? 2 : 1 << L.activation.bits;
                const bool per_channel = L.activation.type != ActivationType::Relu;
                std::vector<std::vector<int>> seen(N, std::vector<int>(size_t(codes), 0));
                std::vector<int> x(F);
                for (int sample = 0; sample < 3000; ++sample) {
                    for (auto& v : x) v = draw_input(rng, L.in_encoding, L.in_bits);
                    for (size_t n = 0; n < N; ++n) {
                        int64_t acc = 0;
                        for (size_t i = 0; i < F; ++i) acc += int64_t(p.layers[l].weights[n * F + i]) * x[i];
                        int32_t c = activate(L, p.layers[l], n, acc);
                        ASSERT_TRUE(c >= 0 && c < codes);
                        ++seen[n][size_t(c)];
                    }
                }
                if (per_channel) {
                    for (size_t n = 0; n < N; ++n)
                        for (int c = 0; c < codes; ++c)
                            EXPECT_GT(seen[n][size_t(c)], 0) << "channel " << n << " code " << c;
                } else {
                    for (int c = 0; c < codes; ++c) {
                        int total = 0;
                        for (size_t n = 0; n < N; ++n) total += seen[n][size_t(c)];
                        EXPECT_GT(total, 0) << "code " << c;
                    }
                }
                // Thresholds put roughly equal mass in every code.
                if (L.activation.type == ActivationType::Thresholds && L.in_encoding != Encoding::Bipolar) {
                    for (size_t n = 0; n < N; ++n)
                        for (int c = 0; c < codes; ++c)
                            EXPECT_NEAR(seen[n][size_t(c)] / 3000.0, 1.0 / codes, 0.5 / codes)
                                << "channel " << n << " code " << c;
                }
            }
        }
    }
}

TEST(ParamGenerator, SmallBipolarFanInKeepsCodesReachable) {
    // With bipolar inputs the accumulator has fixed parity; thresholds step by 2 so that all
    // four codes stay reachable even for a small fan-in.
    const NetworkConfig cfg = net_builder(1, 1, 6)
                                  .fc("in", 5, WeightQuant::Binary, 1, ActivationType::Bipolar, 1)
                                  .fc("small", 4, WeightQuant::Binary, 1, ActivationType::Thresholds, 2)
                                  .build();
    const NetworkParams p = generate_params(cfg, 21, 0.0);
    const auto& t = p.layers[1].thresholds;
    const auto& w = p.layers[1].weights;
    for (size_t n = 0; n < 4; ++n) {
        // Enumerate all 2^5 inputs.
        std::set<int> codes;
        for (int m = 0; m < 32; ++m) {
            int64_t acc = 0;
            for (int i = 0; i < 5; ++i) acc += w[n * 5 + size_t(i)] * ((m >> i) & 1 ? 1 : -1);
            codes.insert(activate(cfg.layers[1], p.layers[1], n, acc));
        }
        EXPECT_EQ(codes.size(), 4u) << "channel " << n << " thresholds " << t[n * 3] << " "
                                    << t[n * 3 + 1] << " " << t[n * 3 + 2];
    }
}

TEST(ParamGenerator, ReluScaleAvoidsInt32Overflow) {
    // 16-bit relu output on a wide 8-bit x 8-bit layer: the nominal mul at shift 16 would
    // overflow (acc + bias) * mul, so shift and mul are lowered together.
    const NetworkConfig cfg = net_builder(1, 1, 4096)
                                  .fc("wide", 4, WeightQuant::Uniform, 8, ActivationType::Relu, 16)
                                  .build();
    const NetworkParams p = generate_params(cfg, 3, 0.0);
    const LayerParams& P = p.layers[0];
    EXPECT_LT(P.shift, 16);
    EXPECT_GE(P.shift, 1);
    const size_t F = 4096;
    for (size_t n = 0; n < 4; ++n) {
        int64_t sum_abs = 0;
        for (size_t i = 0; i < F; ++i) sum_abs += std::abs(int(P.weights[n * F + i]));
        const int64_t worst = (sum_abs * 255 + std::abs(int64_t(P.bias[n]))) * P.mul + (int64_t(1) << (P.shift - 1));
        EXPECT_LE(worst, int64_t(INT32_MAX)) << "channel " << n;
    }
    // Still about 3 sd to full scale: mul / 2^shift within rounding of the target.
    double sd_max = 0;
    for (size_t n = 0; n < 4; ++n) {
        double s2 = 0;
        for (size_t i = 0; i < F; ++i) s2 += double(P.weights[n * F + i]) * P.weights[n * F + i];
        sd_max = std::max(sd_max, std::sqrt(65535.0 / 12.0 * s2));
    }
    const double target = 65535.0 / (3 * sd_max);
    EXPECT_NEAR(double(P.mul) / std::ldexp(1.0, P.shift), target, std::ldexp(1.0, -P.shift));
}

TEST(ParamGenerator, NormalQuantile) {
    EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
    EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
    EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-9);
    EXPECT_NEAR(normal_quantile(0.75), 0.6744897501960817, 1e-9);
    EXPECT_NEAR(normal_quantile(1.0 / 256), -2.660067468617460, 1e-8);
    EXPECT_NEAR(normal_quantile(1e-6), -4.753424308822899, 1e-7);
    EXPECT_THROW(normal_quantile(0.0), std::invalid_argument);
    EXPECT_THROW(normal_quantile(1.0), std::invalid_argument);
}

TEST(ParamGenerator, EncodingValueModels) {
    ValueModel u = encoding_value_model(Encoding::Unsigned, 2);  // 0..3
    EXPECT_DOUBLE_EQ(u.mean, 1.5);
    EXPECT_DOUBLE_EQ(u.var, 1.25);
    EXPECT_DOUBLE_EQ(u.bound, 3);
    ValueModel s = encoding_value_model(Encoding::Signed, 2);  // -2..1
    EXPECT_DOUBLE_EQ(s.mean, -0.5);
    EXPECT_DOUBLE_EQ(s.var, 1.25);
    EXPECT_DOUBLE_EQ(s.bound, 2);
    ValueModel b = encoding_value_model(Encoding::Bipolar, 1);
    EXPECT_DOUBLE_EQ(b.mean, 0);
    EXPECT_DOUBLE_EQ(b.var, 1);
}

TEST(ParamGenerator, RejectsUngeneratableUniformWidth) {
    NetworkConfig cfg = mixed_net();
    cfg.layers[3].weights.bits = 1;
    EXPECT_THROW(generate_params(cfg, 1, 0.0), ConfigError);
}

// ------------------------------------------------------------------------------------------
// Quantisers.

TEST(Quantizer, BinaryIsSign) {
    WeightQuantConfig q;
    q.quant = WeightQuant::Binary;
    q.bits = 1;
    EXPECT_EQ(quantize_weights(std::vector<float>{0.5f, -0.1f, 0.0f, -0.0f, 3.0f, -1e-30f}, q),
              (std::vector<int8_t>{1, -1, 1, 1, 1, -1}));
}

TEST(Quantizer, TernaryUsesThreshold) {
    WeightQuantConfig q;
    q.quant = WeightQuant::Ternary;
    q.bits = 2;
    q.threshold = 0.25;
    EXPECT_EQ(quantize_weights(std::vector<float>{0.3f, 0.25f, -0.25f, -0.3f, 0.0f, 1.0f, -7.0f, 0.1f}, q),
              (std::vector<int8_t>{1, 0, 0, -1, 0, 1, -1, 0}));
    q.threshold = 0.0;  // eta = 0: only exact zeros stay zero
    EXPECT_EQ(quantize_weights(std::vector<float>{1e-6f, -1e-6f, 0.0f}, q), (std::vector<int8_t>{1, -1, 0}));
}

TEST(Quantizer, UniformRoundsHalfAwayFromZeroAndClamps) {
    WeightQuantConfig q;
    q.quant = WeightQuant::Uniform;
    q.bits = 4;  // [-7, 7]
    q.scale = 0.5;
    EXPECT_EQ(quantize_weights(std::vector<float>{0.25f, -0.25f, 0.24f, -0.24f, 0.75f, -0.75f, 1.25f,
                                                  3.5f, 3.75f, 100.0f, -100.0f, -3.5f, 0.0f},
                               q),
              (std::vector<int8_t>{1, -1, 0, 0, 2, -2, 3, 7, 7, 7, -7, -7, 0}));
    q.bits = 8;  // [-127, 127]
    q.scale = 1.0 / 64;
    EXPECT_EQ(quantize_weights(std::vector<double>{1.0, -1.0, 1.9921875, 2.5, -2.5, 0.0078125}, q),
              (std::vector<int8_t>{64, -64, 127, 127, -127, 1}));
    q.bits = 2;  // [-1, 1]
    q.scale = 1.0;
    EXPECT_EQ(quantize_weights(std::vector<float>{0.49f, 0.5f, -0.5f, -2.0f}, q),
              (std::vector<int8_t>{0, 1, -1, -1}));
}

TEST(Quantizer, RejectsBadInput) {
    WeightQuantConfig q;
    q.quant = WeightQuant::Uniform;
    q.bits = 4;
    q.scale = 0.0;
    EXPECT_THROW(quantize_weights(std::vector<float>{1.0f}, q), std::invalid_argument);
    q.scale = 1.0;
    EXPECT_THROW(quantize_weights(std::vector<float>{1.0f, std::nanf("")}, q), std::invalid_argument);
    EXPECT_THROW(quantize_weights(std::vector<double>{INFINITY}, q), std::invalid_argument);
    q.bits = 9;
    EXPECT_THROW(quantize_weight(1.0, q), std::invalid_argument);
    q.quant = WeightQuant::Ternary;
    q.threshold = -1;
    EXPECT_THROW(quantize_weight(1.0, q), std::invalid_argument);
}

}  // namespace param_generator_test
}  // namespace qsim
