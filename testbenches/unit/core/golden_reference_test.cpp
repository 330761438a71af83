// Tests of the golden reference on tiny, hand-computed cases: every layer type, every input
// encoding and activation, and the error paths.
#include "sim/golden/golden_reference.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace qsim::golden {
namespace golden_reference_test {

// ---------------------------------------------------------------------------------------
// Helpers: layers are built by hand, including the fields the loader would derive.

FmShape shape(int h, int w, int c) {
    FmShape s;
    s.height = h;
    s.width = w;
    s.channels = c;
    return s;
}

FeatureMap fmap(FmShape s, std::vector<int32_t> codes) {
    FeatureMap fm(s);
    fm.data = std::move(codes);
    return fm;
}

// Sets the output encoding that follows from the activation.
void set_activation(LayerConfig& l, ActivationType type, int bits) {
    l.activation.type = type;
    l.activation.bits = bits;
    switch (type) {
        case ActivationType::Thresholds:
        case ActivationType::Relu:
            l.out_encoding = Encoding::Unsigned;
            l.out_bits = bits;
            break;
        case ActivationType::Bipolar:
            l.activation.bits = 1;
            l.out_encoding = Encoding::Bipolar;
            l.out_bits = 1;
            break;
        case ActivationType::None:
            l.activation.bits = 32;
            l.out_encoding = Encoding::Accumulator;
            l.out_bits = 32;
            break;
    }
}

LayerConfig conv(const std::string& name, FmShape in, FmShape out, int kernel, int stride,
                 int pad_begin, int pad_end, int groups, Encoding in_enc, int in_bits,
                 ActivationType act, int act_bits) {
    LayerConfig l;
    l.name = name;
    l.type = LayerType::Conv;
    l.kernel = kernel;
    l.stride = stride;
    l.pad_begin = pad_begin;
    l.pad_end = pad_end;
    l.groups = groups;
    l.filters = out.channels;
    l.in = in;
    l.out = out;
    l.in_encoding = in_enc;
    l.in_bits = in_bits;
    l.weights.quant = WeightQuant::Uniform;
    l.weights.bits = 8;
    l.datapath = Datapath::DspMac;
    set_activation(l, act, act_bits);
    return l;
}

LayerConfig fc(const std::string& name, FmShape in, int outputs, Encoding in_enc, int in_bits,
               ActivationType act, int act_bits) {
    LayerConfig l = conv(name, in, shape(1, 1, outputs), 1, 1, 0, 0, 1, in_enc, in_bits, act,
                         act_bits);
    l.type = LayerType::Fc;
    return l;
}

LayerConfig maxpool(const std::string& name, FmShape in, FmShape out, int kernel, int stride,
                    int pad_begin, int pad_end, Encoding enc, int bits) {
    LayerConfig l;
    l.name = name;
    l.type = LayerType::MaxPool;
    l.kernel = kernel;
    l.stride = stride;
    l.pad_begin = pad_begin;
    l.pad_end = pad_end;
    l.in = in;
    l.out = out;
    l.in_encoding = l.out_encoding = enc;
    l.in_bits = l.out_bits = bits;
    return l;
}

// A depthwise 1x1 identity conv (groups = channels, every weight 1): acc of channel n is the
// value of input channel n, which makes activations easy to test on chosen accumulators.
LayerConfig identity_layer(int channels, ActivationType act, int act_bits) {
    return conv("ident", shape(1, 1, channels), shape(1, 1, channels), 1, 1, 0, 0, channels,
                Encoding::Signed, 16, act, act_bits);
}

LayerParams ones(int count) {
    LayerParams p;
    p.weights.assign(size_t(count), 1);
    return p;
}

// The 4x4 map used by several conv tests: in(y, x) = 4y + x + 1.
//    1  2  3  4
//    5  6  7  8
//    9 10 11 12
//   13 14 15 16
FeatureMap ramp4x4() {
    FeatureMap fm(shape(4, 4, 1));
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) fm.at(y, x, 0) = 4 * y + x + 1;
    return fm;
}

// 3x3 kernel, (ky, kx) row-major:
//    1  0 -1
//    2  1  0
//    0 -1  1
// so out(y, x) = in(y-1,x-1) - in(y-1,x+1) + 2 in(y,x-1) + in(y,x) - in(y+1,x) + in(y+1,x+1).
LayerParams kernel3x3() {
    LayerParams p;
    p.weights = {1, 0, -1, 2, 1, 0, 0, -1, 1};
    return p;
}

template <typename Fn>
std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "<no std::invalid_argument>";
}

// ---------------------------------------------------------------------------------------
// Convolution

TEST(GoldenConv, Padding1On4x4) {
    LayerConfig l = conv("c", shape(4, 4, 1), shape(4, 4, 1), 3, 1, 1, 1, 1, Encoding::Unsigned,
                         8, ActivationType::None, 32);
    // By hand with the formula of kernel3x3() (outside = 0):
    //  (0,0): 0 - 0 + 2*0 + 1 - 5 + 6           = 2
    //  (0,1): 0 - 0 + 2*1 + 2 - 6 + 7           = 5
    //  (0,2): 0 - 0 + 2*2 + 3 - 7 + 8           = 8
    //  (0,3): 0 - 0 + 2*3 + 4 - 8 + 0           = 2
    //  (1,0): 0 - 2 + 0 + 5 - 9 + 10            = 4
    //  (1,1): 1 - 3 + 10 + 6 - 10 + 11          = 15
    //  (1,2): 2 - 4 + 12 + 7 - 11 + 12          = 18
    //  (1,3): 3 - 0 + 14 + 8 - 12 + 0           = 13
    //  (2,0): 0 - 6 + 0 + 9 - 13 + 14           = 4
    //  (2,1): 5 - 7 + 18 + 10 - 14 + 15         = 27
    //  (2,2): 6 - 8 + 20 + 11 - 15 + 16         = 30
    //  (2,3): 7 - 0 + 22 + 12 - 16 + 0          = 25
    //  (3,0): 0 - 10 + 0 + 13 - 0 + 0           = 3
    //  (3,1): 9 - 11 + 26 + 14                  = 38
    //  (3,2): 10 - 12 + 28 + 15                 = 41
    //  (3,3): 11 - 0 + 30 + 16                  = 57
    FeatureMap out = run_layer(l, kernel3x3(), ramp4x4());
    EXPECT_EQ(out.shape.height, 4);
    EXPECT_EQ(out.shape.width, 4);
    EXPECT_EQ(out.shape.channels, 1);
    EXPECT_EQ(out.data, (std::vector<int32_t>{2, 5, 8, 2, 4, 15, 18, 13, 4, 27, 30, 25, 3, 38,
                                              41, 57}));
}

TEST(GoldenConv, Stride2) {
    // Same as above with stride 2: the window centres are (0,0), (0,2), (2,0), (2,2).
    LayerConfig l = conv("c", shape(4, 4, 1), shape(2, 2, 1), 3, 2, 1, 1, 1, Encoding::Unsigned,
                         8, ActivationType::None, 32);
    EXPECT_EQ(run_layer(l, kernel3x3(), ramp4x4()).data, (std::vector<int32_t>{2, 8, 4, 30}));
}

TEST(GoldenConv, Stride2AsymmetricPadding) {
    // Padding [0, 1]: window (oy, ox) starts at (2oy, 2ox), i.e. it is centred on (2oy+1, 2ox+1)
    // of the padding-1 result: (1,1)=15, (1,3)=13, (3,1)=38, (3,3)=57.
    LayerConfig l = conv("c", shape(4, 4, 1), shape(2, 2, 1), 3, 2, 0, 1, 1, Encoding::Unsigned,
                         8, ActivationType::None, 32);
    EXPECT_EQ(run_layer(l, kernel3x3(), ramp4x4()).data, (std::vector<int32_t>{15, 13, 38, 57}));
}

TEST(GoldenConv, GroupsAndWeightOrder) {
    // 2x2x4 input, 2x2 kernel, 4 filters in 2 groups: Cg = 2, 2 filters per group.
    // Weight index of (ky, kx, c) = (ky*2 + kx)*2 + c, c over the group's channels.
    //   in(0,0) = [1,2,3,4]   in(0,1) = [5,6,7,8]
    //   in(1,0) = [9,10,11,12] in(1,1) = [13,14,15,16]
    LayerConfig l = conv("g", shape(2, 2, 4), shape(1, 1, 4), 2, 1, 0, 0, 2, Encoding::Unsigned,
                         8, ActivationType::None, 32);
    FeatureMap in(shape(2, 2, 4));
    for (int i = 0; i < 16; ++i) in.data[size_t(i)] = i + 1;
    LayerParams p;
    p.weights = {
        1, 1, 1, 1, 1, 1, 1, 1,    // n0 (group 0, ch 0,1): 1+2+5+6+9+10+13+14 = 60
        1, -1, 0, 0, 0, 0, 2, 0,   // n1: in(0,0,0) - in(0,0,1) + 2 in(1,1,0) = 1 - 2 + 26 = 25
        1, 1, 1, 1, 1, 1, 1, 1,    // n2 (group 1, ch 2,3): 3+4+7+8+11+12+15+16 = 76
        0, 0, 0, 1, -1, 0, 0, 0,   // n3: in(0,1,3) - in(1,0,2) = 8 - 11 = -3
    };
    EXPECT_EQ(run_layer(l, p, in).data, (std::vector<int32_t>{60, 25, 76, -3}));
}

TEST(GoldenConv, BipolarPaddingContributesMinusOne) {
    // 1x1 input, 3x3 kernel of +1, padding 1: 8 of the 9 taps are padding (code 0).
    LayerConfig bip = conv("b", shape(1, 1, 1), shape(1, 1, 1), 3, 1, 1, 1, 1, Encoding::Bipolar,
                           1, ActivationType::None, 32);
    LayerParams p = ones(9);
    // Bipolar: the pixel is 2*1-1 = +1 and each pad is 2*0-1 = -1: 1 - 8 = -7.
    EXPECT_EQ(run_layer(bip, p, fmap(shape(1, 1, 1), {1})).data, (std::vector<int32_t>{-7}));
    // Pixel code 0 is -1 as well: -9.
    EXPECT_EQ(run_layer(bip, p, fmap(shape(1, 1, 1), {0})).data, (std::vector<int32_t>{-9}));
    // Unsigned: pads are 0, so only the pixel counts.
    LayerConfig uns = bip;
    uns.in_encoding = Encoding::Unsigned;
    uns.in_bits = 1;
    EXPECT_EQ(run_layer(uns, p, fmap(shape(1, 1, 1), {1})).data, (std::vector<int32_t>{1}));
}

TEST(GoldenConv, BipolarInputsWithBinaryWeights) {
    // XNOR-style layer: 1x3 bipolar input [1, 0, 1] = [+1, -1, +1], kernel 1x1 over 3 channels.
    LayerConfig l = conv("x", shape(1, 1, 3), shape(1, 1, 2), 1, 1, 0, 0, 1, Encoding::Bipolar, 1,
                         ActivationType::None, 32);
    LayerParams p;
    p.weights = {1, -1, 1,     // +1 + 1 + 1 = 3
                 -1, -1, -1};  // -1 + 1 - 1 = -1
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 3), {1, 0, 1})).data,
              (std::vector<int32_t>{3, -1}));
}

// ---------------------------------------------------------------------------------------
// Fully connected

TEST(GoldenFc, FlattensInHwcOrder) {
    // in(y, x, c) = 10y + 3x + c + 1 on a 2x2x2 map; flattened (c fastest):
    //   s: 0->(0,0,0)=1  1->(0,0,1)=2  2->(0,1,0)=4  3->(0,1,1)=5
    //      4->(1,0,0)=11 5->(1,0,1)=12 6->(1,1,0)=14 7->(1,1,1)=15
    LayerConfig l = fc("f", shape(2, 2, 2), 4, Encoding::Unsigned, 8, ActivationType::None, 32);
    FeatureMap in(shape(2, 2, 2));
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x)
            for (int c = 0; c < 2; ++c) in.at(y, x, c) = 10 * y + 3 * x + c + 1;
    LayerParams p;
    p.weights = {
        0, 1, 0, 0, 0, 0, 0, 0,      // s=1 -> 2
        0, 0, 1, 0, 0, 0, 0, 0,      // s=2 -> 4
        0, 0, 0, 0, 0, 1, 0, 0,      // s=5 -> 12
        1, -1, 1, -1, 1, -1, 1, -1,  // 1-2+4-5+11-12+14-15 = -4
    };
    FeatureMap out = run_layer(l, p, in);
    EXPECT_EQ(out.shape.height, 1);
    EXPECT_EQ(out.shape.width, 1);
    EXPECT_EQ(out.data, (std::vector<int32_t>{2, 4, 12, -4}));
}

TEST(GoldenFc, SignedInputs) {
    LayerConfig l = fc("f", shape(1, 1, 3), 1, Encoding::Signed, 4, ActivationType::None, 32);
    LayerParams p;
    p.weights = {3, -2, 1};
    // 3*(-8) - 2*7 + 1*(-1) = -24 - 14 - 1 = -39
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 3), {-8, 7, -1})).data,
              (std::vector<int32_t>{-39}));
}

// ---------------------------------------------------------------------------------------
// Activations

TEST(GoldenActivation, ThresholdsCountEqualAsReached) {
    // 2-bit output, thresholds [-1, 2, 5] on every channel; acc = input value.
    const std::vector<int32_t> acc = {-2, -1, 0, 1, 2, 4, 5, 6};
    LayerConfig l = identity_layer(int(acc.size()), ActivationType::Thresholds, 2);
    LayerParams p = ones(int(acc.size()));
    for (size_t n = 0; n < acc.size(); ++n) p.thresholds.insert(p.thresholds.end(), {-1, 2, 5});
    // -2 < -1: 0;  -1 >= -1: 1;  0, 1: 1;  2 >= 2: 2;  4: 2;  5 >= 5: 3;  6: 3
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 8), acc)).data,
              (std::vector<int32_t>{0, 1, 1, 1, 2, 2, 3, 3}));
}

TEST(GoldenActivation, ThresholdsArePerChannel) {
    LayerConfig l = identity_layer(2, ActivationType::Thresholds, 2);
    LayerParams p = ones(2);
    p.thresholds = {0, 10, 20,      // channel 0: 10 reaches two thresholds
                    100, 200, 300};  // channel 1: 10 reaches none
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 2), {10, 10})).data,
              (std::vector<int32_t>{2, 0}));
}

TEST(GoldenActivation, BipolarThreshold) {
    LayerConfig l = identity_layer(6, ActivationType::Bipolar, 1);
    LayerParams p = ones(6);
    p.thresholds = {0, 0, 0, 3, 3, 3};
    // -1 < 0: 0;  0 >= 0: 1;  1: 1;  2 < 3: 0;  3 >= 3: 1;  4: 1
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 6), {-1, 0, 1, 2, 3, 4})).data,
              (std::vector<int32_t>{0, 1, 1, 0, 1, 1}));
}

TEST(GoldenActivation, ReluRoundingAndClamping) {
    // 3-bit output (max 7), mul 3, shift 2: code = clamp(floor(((acc + b) * 3 + 2) / 4), 0, 7).
    const std::vector<int32_t> acc = {1, 2, 3, -5, 10, 3, -1, 9, 0, -2};
    const std::vector<int32_t> bias = {0, 0, 0, 7, 0, -10, 0, 0, 0, 4};
    // ch0:  1*3+2 = 5   -> 1   (1.25 rounds down)
    // ch1:  2*3+2 = 8   -> 2   (1.5 rounds up)
    // ch2:  3*3+2 = 11  -> 2   (2.25 rounds down)
    // ch3: (-5+7)*3+2 = 8 -> 2 (bias added before the multiply)
    // ch4: 10*3+2 = 32  -> 8 -> clamped to 7
    // ch5: (3-10)*3+2 = -19 -> floor(-4.75) = -5 -> clamped to 0
    // ch6: -1*3+2 = -1  -> floor(-0.25) = -1 -> clamped to 0
    // ch7:  9*3+2 = 29  -> 7   (exactly the maximum)
    // ch8:  0*3+2 = 2   -> 0
    // ch9: (-2+4)*3+2 = 8 -> 2
    LayerConfig l = identity_layer(int(acc.size()), ActivationType::Relu, 3);
    LayerParams p = ones(int(acc.size()));
    p.bias = bias;
    p.mul = 3;
    p.shift = 2;
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, int(acc.size())), acc)).data,
              (std::vector<int32_t>{1, 2, 2, 2, 7, 0, 0, 7, 0, 2}));
}

TEST(GoldenActivation, ReluShiftOneAndLargeMul) {
    // 8-bit output, mul 1000, shift 10: 1 * 1000 + 512 = 1512 -> 1; 3 * 1000 + 512 = 3512 -> 3;
    // 300 * 1000 + 512 -> 293 -> clamped to 255. With shift 1: (5*1 + 1) / 2 = 3.
    LayerConfig l = identity_layer(3, ActivationType::Relu, 8);
    LayerParams p = ones(3);
    p.bias = {0, 0, 0};
    p.mul = 1000;
    p.shift = 10;
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 3), {1, 3, 300})).data,
              (std::vector<int32_t>{1, 3, 255}));
    p.mul = 1;
    p.shift = 1;
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 3), {5, 4, 0})).data,
              (std::vector<int32_t>{3, 2, 0}));  // 6/2 = 3, 5/2 -> 2, 1/2 -> 0
}

TEST(GoldenActivation, NoneKeepsTheAccumulator) {
    LayerConfig l = identity_layer(3, ActivationType::None, 32);
    LayerParams p;
    p.weights = {100, -7, 1};
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 3), {-128, 5, 0})).data,
              (std::vector<int32_t>{-12800, -35, 0}));
}

TEST(GoldenActivation, AccumulatorMustFitInt32) {
    // An accumulator-encoded input of INT32_MAX times weight 2 does not fit int32.
    LayerConfig l = fc("big", shape(1, 1, 1), 1, Encoding::Accumulator, 32, ActivationType::None,
                       32);
    LayerParams p;
    p.weights = {2};
    const int32_t max = std::numeric_limits<int32_t>::max();
    EXPECT_THROW(run_layer(l, p, fmap(shape(1, 1, 1), {max})), std::logic_error);
    p.weights = {1};
    EXPECT_EQ(run_layer(l, p, fmap(shape(1, 1, 1), {max})).data, (std::vector<int32_t>{max}));
}

// ---------------------------------------------------------------------------------------
// Pooling

TEST(GoldenPool, MaxPoolAsymmetricPadding) {
    // 3x3x2 signed map, kernel 2, stride 2, padding [0, 1] -> 2x2x2.
    //   channel 0:  1  5  2      channel 1: -1 -2 -3
    //               3  4  9                 -4 -5 -6
    //              -7  6 -3                 -7 -8 -9
    // Windows: (0,0) rows 0-1 cols 0-1; (0,1) rows 0-1 col 2 (+pad); (1,0) row 2 cols 0-1
    // (+pad); (1,1) only (2,2) (+3 pads). Padding never wins, even against negative codes.
    //   channel 0: max{1,5,3,4}=5  max{2,9}=9  max{-7,6}=6  max{-3}=-3
    //   channel 1: -1              -3          -7           -9
    const std::vector<int32_t> ch0 = {1, 5, 2, 3, 4, 9, -7, 6, -3};
    const std::vector<int32_t> ch1 = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
    FeatureMap in(shape(3, 3, 2));
    for (int i = 0; i < 9; ++i) {
        in.at(i / 3, i % 3, 0) = ch0[size_t(i)];
        in.at(i / 3, i % 3, 1) = ch1[size_t(i)];
    }
    LayerConfig l = maxpool("p", shape(3, 3, 2), shape(2, 2, 2), 2, 2, 0, 1, Encoding::Signed, 8);
    EXPECT_EQ(run_layer(l, LayerParams{}, in).data,
              (std::vector<int32_t>{5, -1, 9, -3, 6, -7, -3, -9}));
}

TEST(GoldenPool, MaxPoolPadBegin) {
    // Channel 1 of the map above, kernel 2, stride 1, padding [1, 0] -> 3x3:
    // window (oy, ox) covers rows oy-1..oy and cols ox-1..ox.
    //   (0,0) {-1}=-1        (0,1) {-1,-2}=-1          (0,2) {-2,-3}=-2
    //   (1,0) {-1,-4}=-1     (1,1) {-1,-2,-4,-5}=-1    (1,2) {-2,-3,-5,-6}=-2
    //   (2,0) {-4,-7}=-4     (2,1) {-4,-5,-7,-8}=-4    (2,2) {-5,-6,-8,-9}=-5
    LayerConfig l = maxpool("p", shape(3, 3, 1), shape(3, 3, 1), 2, 1, 1, 0, Encoding::Signed, 8);
    FeatureMap in = fmap(shape(3, 3, 1), {-1, -2, -3, -4, -5, -6, -7, -8, -9});
    EXPECT_EQ(run_layer(l, LayerParams{}, in).data,
              (std::vector<int32_t>{-1, -1, -2, -1, -1, -2, -4, -4, -5}));
}

TEST(GoldenPool, MaxPoolBipolarCodes) {
    // Bipolar codes compare as codes: any +1 (code 1) wins.
    LayerConfig l = maxpool("p", shape(2, 2, 1), shape(1, 1, 1), 2, 2, 0, 0, Encoding::Bipolar, 1);
    EXPECT_EQ(run_layer(l, LayerParams{}, fmap(shape(2, 2, 1), {0, 0, 1, 0})).data,
              (std::vector<int32_t>{1}));
    EXPECT_EQ(run_layer(l, LayerParams{}, fmap(shape(2, 2, 1), {0, 0, 0, 0})).data,
              (std::vector<int32_t>{0}));
}

TEST(GoldenPool, GlobalMaxPool) {
    // 2x3x2: channel 0 = [3, 1, 4, 1, 5, 9] (max last), channel 1 = [-6, -2, -8, -3, -5, -4].
    LayerConfig l;
    l.name = "gp";
    l.type = LayerType::GlobalMaxPool;
    l.in = shape(2, 3, 2);
    l.out = shape(1, 1, 2);
    l.in_encoding = l.out_encoding = Encoding::Signed;
    l.in_bits = l.out_bits = 8;
    l.kernel = 3;
    FeatureMap in = fmap(shape(2, 3, 2), {3, -6, 1, -2, 4, -8, 1, -3, 5, -5, 9, -4});
    FeatureMap out = run_layer(l, LayerParams{}, in);
    EXPECT_EQ(out.shape.height, 1);
    EXPECT_EQ(out.shape.width, 1);
    EXPECT_EQ(out.data, (std::vector<int32_t>{9, -2}));
}

// ---------------------------------------------------------------------------------------
// Network

NetworkConfig two_layer_net() {
    NetworkConfig net;
    net.name = "tiny";
    net.input.shape = shape(4, 4, 1);
    net.input.bits = 8;
    net.layers.push_back(conv("conv0", shape(4, 4, 1), shape(4, 4, 1), 3, 1, 1, 1, 1,
                              Encoding::Unsigned, 8, ActivationType::Thresholds, 2));
    net.layers.push_back(
        maxpool("pool1", shape(4, 4, 1), shape(2, 2, 1), 2, 2, 0, 0, Encoding::Unsigned, 2));
    return net;
}

NetworkParams two_layer_params() {
    NetworkParams params;
    LayerParams conv0 = kernel3x3();
    conv0.layer = "conv0";
    conv0.thresholds = {5, 15, 30};
    params.layers.push_back(conv0);
    params.layers.push_back(LayerParams{});
    return params;
}

TEST(GoldenNetwork, ConvThenMaxPool) {
    // conv0 accumulators (see GoldenConv.Padding1On4x4) through thresholds [5, 15, 30]:
    //    2  5  8  2   ->  0 1 1 0
    //    4 15 18 13   ->  0 2 2 1
    //    4 27 30 25   ->  0 2 3 2
    //    3 38 41 57   ->  0 3 3 3
    // pool1 (2x2, stride 2): max{0,1,0,2}=2 max{1,0,2,1}=2 max{0,2,0,3}=3 max{3,2,3,3}=3
    std::vector<FeatureMap> outs = run_network(two_layer_net(), two_layer_params(), ramp4x4());
    ASSERT_EQ(outs.size(), 2u);
    EXPECT_EQ(outs[0].data,
              (std::vector<int32_t>{0, 1, 1, 0, 0, 2, 2, 1, 0, 2, 3, 2, 0, 3, 3, 3}));
    EXPECT_EQ(outs[1].shape.height, 2);
    EXPECT_EQ(outs[1].data, (std::vector<int32_t>{2, 2, 3, 3}));
}

TEST(GoldenNetwork, EmptyNetwork) {
    NetworkConfig net;
    EXPECT_TRUE(run_network(net, NetworkParams{}, ramp4x4()).empty());
}

// ---------------------------------------------------------------------------------------
// Error paths

TEST(GoldenErrors, InputShapeMismatch) {
    LayerConfig l = conv("c", shape(4, 4, 1), shape(4, 4, 1), 3, 1, 1, 1, 1, Encoding::Unsigned,
                         8, ActivationType::None, 32);
    std::string msg = error_of([&] { run_layer(l, kernel3x3(), FeatureMap(shape(4, 3, 1))); });
    EXPECT_NE(msg.find("'c'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("4x3x1"), std::string::npos) << msg;
    // Data vector disagreeing with its own shape.
    FeatureMap bad = ramp4x4();
    bad.data.pop_back();
    EXPECT_THROW(run_layer(l, kernel3x3(), bad), std::invalid_argument);
}

TEST(GoldenErrors, ParameterSizes) {
    LayerConfig l = identity_layer(2, ActivationType::Thresholds, 2);
    FeatureMap in = fmap(shape(1, 1, 2), {0, 0});
    LayerParams p = ones(2);
    p.thresholds = {0, 1, 2, 0, 1, 2};
    EXPECT_NO_THROW(run_layer(l, p, in));

    LayerParams few_weights = p;
    few_weights.weights.pop_back();
    std::string msg = error_of([&] { run_layer(l, few_weights, in); });
    EXPECT_NE(msg.find("weights"), std::string::npos) << msg;

    LayerParams few_thresholds = p;
    few_thresholds.thresholds.pop_back();
    msg = error_of([&] { run_layer(l, few_thresholds, in); });
    EXPECT_NE(msg.find("thresholds"), std::string::npos) << msg;

    LayerConfig bip = identity_layer(2, ActivationType::Bipolar, 1);
    EXPECT_THROW(run_layer(bip, p, in), std::invalid_argument);  // 6 thresholds, needs 2

    LayerConfig relu = identity_layer(2, ActivationType::Relu, 4);
    LayerParams rp = ones(2);
    rp.bias = {0};
    msg = error_of([&] { run_layer(relu, rp, in); });
    EXPECT_NE(msg.find("bias"), std::string::npos) << msg;
    rp.bias = {0, 0};
    rp.shift = 0;
    EXPECT_THROW(run_layer(relu, rp, in), std::invalid_argument);

    LayerParams wrong_name = p;
    wrong_name.layer = "other";
    EXPECT_THROW(run_layer(l, wrong_name, in), std::invalid_argument);
}

TEST(GoldenErrors, InputCodesOutOfRange) {
    LayerConfig l = identity_layer(2, ActivationType::None, 32);
    l.in_encoding = Encoding::Unsigned;
    l.in_bits = 2;
    LayerParams p = ones(2);
    EXPECT_NO_THROW(run_layer(l, p, fmap(shape(1, 1, 2), {0, 3})));
    EXPECT_THROW(run_layer(l, p, fmap(shape(1, 1, 2), {0, 4})), std::invalid_argument);
    EXPECT_THROW(run_layer(l, p, fmap(shape(1, 1, 2), {-1, 0})), std::invalid_argument);
    l.in_encoding = Encoding::Bipolar;
    l.in_bits = 1;
    EXPECT_THROW(run_layer(l, p, fmap(shape(1, 1, 2), {2, 0})), std::invalid_argument);
    l.in_encoding = Encoding::Signed;
    l.in_bits = 4;
    EXPECT_NO_THROW(run_layer(l, p, fmap(shape(1, 1, 2), {-8, 7})));
    EXPECT_THROW(run_layer(l, p, fmap(shape(1, 1, 2), {-9, 0})), std::invalid_argument);
}

TEST(GoldenErrors, Geometry) {
    // groups must divide both channel counts.
    LayerConfig g = conv("g", shape(1, 1, 3), shape(1, 1, 2), 1, 1, 0, 0, 2, Encoding::Unsigned, 8,
                         ActivationType::None, 32);
    EXPECT_THROW(run_layer(g, ones(2), fmap(shape(1, 1, 3), {0, 0, 0})), std::invalid_argument);
    // An output larger than the padded input allows.
    LayerConfig big = conv("c", shape(4, 4, 1), shape(5, 4, 1), 3, 1, 1, 1, 1, Encoding::Unsigned,
                           8, ActivationType::None, 32);
    EXPECT_THROW(run_layer(big, kernel3x3(), ramp4x4()), std::invalid_argument);
    // A pooling window made only of padding.
    LayerConfig pool = maxpool("p", shape(1, 1, 1), shape(2, 1, 1), 1, 1, 0, 1,
                               Encoding::Unsigned, 8);
    EXPECT_THROW(run_layer(pool, LayerParams{}, fmap(shape(1, 1, 1), {3})), std::invalid_argument);
    // fc output must be 1x1xN.
    LayerConfig f = fc("f", shape(1, 1, 2), 2, Encoding::Unsigned, 8, ActivationType::None, 32);
    f.out = shape(2, 1, 1);
    EXPECT_THROW(run_layer(f, ones(4), fmap(shape(1, 1, 2), {0, 0})), std::invalid_argument);
}

TEST(GoldenErrors, NetworkMismatches) {
    NetworkConfig net = two_layer_net();
    NetworkParams params = two_layer_params();

    NetworkParams short_params = params;
    short_params.layers.pop_back();
    EXPECT_THROW(run_network(net, short_params, ramp4x4()), std::invalid_argument);

    // Input frame not matching the first layer.
    EXPECT_THROW(run_network(net, params, FeatureMap(shape(4, 4, 2))), std::invalid_argument);

    // Layer 1 expecting a shape that layer 0 does not produce.
    NetworkConfig bad_shape = net;
    bad_shape.layers[1].in = shape(4, 4, 2);
    bad_shape.layers[1].out = shape(2, 2, 2);
    std::string msg = error_of([&] { run_network(bad_shape, params, ramp4x4()); });
    EXPECT_NE(msg.find("pool1"), std::string::npos) << msg;

    // Layer 1 decoding codes with another encoding than layer 0 produces.
    NetworkConfig bad_enc = net;
    bad_enc.layers[1].in_encoding = Encoding::Bipolar;
    bad_enc.layers[1].in_bits = 1;
    EXPECT_THROW(run_network(bad_enc, params, ramp4x4()), std::invalid_argument);
}

}  // namespace golden_reference_test
}  // namespace qsim::golden
