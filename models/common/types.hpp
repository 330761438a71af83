// Basic vocabulary shared by every block: layer kinds, quantisation kinds, datapaths and
// how an integer code on a stream maps to the value the arithmetic uses.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "models/common/enum_text.hpp"

namespace qsim {

// Add: the element-wise sum of two streams of one shape (a residual join); Concat: two
// streams of one height and width side by side along the channels; GlobalAvgPool: the sum of
// every position per channel (global average pooling with the 1/(H*W) left to the next
// layer's thresholds, as FINN's GlobalAccPool); AvgPool: the sum over each K x K window (the
// 1/K^2 likewise left to the next layer); TopK: the indices of the k largest values of a
// 1 x 1 x C vector (label select). docs/graphs.md.
enum class LayerType { Conv, Fc, MaxPool, GlobalMaxPool, Add, Concat, GlobalAvgPool, AvgPool, TopK };

// How weights are quantised and stored.
//   Binary : values {-1,+1}; 1 bit per weight, bit 1 = +1, bit 0 = -1.
//   Ternary: values {-1,0,+1}; 2-bit two's complement (01 = +1, 11 = -1, 00 = 0, 10 invalid).
//   Uniform: signed integers in [-(2^(b-1)-1), 2^(b-1)-1] (symmetric, 2^b - 1 levels);
//            b-bit two's complement. The float value is code * scale.
//   Rccm   : AddNet (ch. 6.4-6.6): the select index of a reconfigurable constant-coefficient
//            multiplier, 4/6/8 bits (2-Add/3-Add/4-Add); the weight is the coefficient the
//            circuit realises for that index (models/rccm/, docs/rccm.md).
enum class WeightQuant { Binary, Ternary, Uniform, Rccm };

// What follows the accumulator of a compute layer.
//   Thresholds: FINN multi-threshold unit; output code = number of per-channel thresholds
//               t_j (ascending, 2^bits - 1 of them) with acc >= t_j. Unsigned codes.
//   Bipolar   : one threshold per channel; code 1 means +1 and code 0 means -1.
//   Relu      : integer requantisation out = clamp(((acc + bias_n) * mul + 2^(shift-1)) >> shift,
//               0, 2^bits - 1) with per-channel bias and per-layer mul/shift.
//   None      : the raw accumulator leaves the layer (32-bit signed).
enum class ActivationType { Thresholds, Bipolar, Relu, None };

// The arithmetic a PE uses, decided by the operand types (ch. 4.6.2, Fig. 4.5).
//   XnorPopcount: binary weights with bipolar binary activations (FINN PE).
//   AddSub      : binary/ternary weights with k-bit activations: add or subtract by weight sign.
//   DspMac      : multi-bit weights: a multiply-accumulate (DSP slice on the FPGA).
//   Rccm        : RCCM select indices: products through the RCCM's adders and shifts, then
//                 the per-layer 8-bit scale lambda after the fan-in (ch. 6.6.2).
enum class Datapath { XnorPopcount, AddSub, DspMac, Rccm };

// How a code carried on a stream maps to the value the next layer computes with.
//   Unsigned: value = code, code in [0, 2^bits).
//   Signed  : two's complement, value in [-2^(bits-1), 2^(bits-1)).
//   Bipolar : 1-bit, value = 2*code - 1.
//   Accumulator: raw 32-bit signed accumulator.
enum class Encoding { Unsigned, Signed, Bipolar, Accumulator };

template <>
struct EnumText<LayerType> {
    static constexpr const char* what = "layer type";
    static constexpr std::pair<LayerType, const char*> names[] = {{LayerType::Conv, "conv"},
                                                                  {LayerType::Fc, "fc"},
                                                                  {LayerType::MaxPool, "maxpool"},
                                                                  {LayerType::GlobalMaxPool, "global_maxpool"},
                                                                  {LayerType::Add, "add"},
                                                                  {LayerType::Concat, "concat"},
                                                                  {LayerType::GlobalAvgPool, "global_avgpool"},
                                                                  {LayerType::AvgPool, "avgpool"},
                                                                  {LayerType::TopK, "topk"}};
};
template <>
struct EnumText<WeightQuant> {
    static constexpr const char* what = "weight quantisation";
    static constexpr std::pair<WeightQuant, const char*> names[] = {{WeightQuant::Binary, "binary"},
                                                                    {WeightQuant::Ternary, "ternary"},
                                                                    {WeightQuant::Uniform, "uniform"},
                                                                    {WeightQuant::Rccm, "rccm"}};
};
template <>
struct EnumText<ActivationType> {
    static constexpr const char* what = "activation type";
    static constexpr std::pair<ActivationType, const char*> names[] = {{ActivationType::Thresholds, "thresholds"},
                                                                       {ActivationType::Bipolar, "bipolar"},
                                                                       {ActivationType::Relu, "relu"},
                                                                       {ActivationType::None, "none"}};
};
template <>
struct EnumText<Datapath> {
    static constexpr const char* what = "datapath";
    static constexpr std::pair<Datapath, const char*> names[] = {{Datapath::XnorPopcount, "xnor_popcount"},
                                                                 {Datapath::AddSub, "addsub"},
                                                                 {Datapath::DspMac, "dsp_mac"},
                                                                 {Datapath::Rccm, "rccm"}};
};
template <>
struct EnumText<Encoding> {
    static constexpr const char* what = "encoding";
    static constexpr std::pair<Encoding, const char*> names[] = {{Encoding::Unsigned, "unsigned"},
                                                                 {Encoding::Signed, "signed"},
                                                                 {Encoding::Bipolar, "bipolar"},
                                                                 {Encoding::Accumulator, "accumulator"}};
};

// Value of a stream code under an encoding (codes are carried as int32).
inline int32_t decode_value(int32_t code, Encoding e) {
    return e == Encoding::Bipolar ? 2 * code - 1 : code;
}

// The lowest and highest value the codes of `bits` in `e` stand for (not Accumulator).
inline std::pair<int64_t, int64_t> value_range(Encoding e, int bits) {
    switch (e) {
        case Encoding::Bipolar: return {-1, 1};
        case Encoding::Signed: return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
        default: return {0, (int64_t(1) << bits) - 1};
    }
}

// The fewest bits that hold every value in lo..hi: unsigned when lo >= 0, else two's complement.
inline int range_bits(int64_t lo, int64_t hi) {
    int bits = 1;
    if (lo >= 0) {
        while ((int64_t(1) << bits) - 1 < hi) ++bits;
    } else {
        while (-(int64_t(1) << (bits - 1)) > lo || (int64_t(1) << (bits - 1)) - 1 < hi) ++bits;
    }
    return bits;
}

}  // namespace qsim
