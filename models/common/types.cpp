#include "models/common/types.hpp"

namespace qsim {

const char* to_string(LayerType t) {
    switch (t) {
        case LayerType::Conv: return "conv";
        case LayerType::Fc: return "fc";
        case LayerType::MaxPool: return "maxpool";
        case LayerType::GlobalMaxPool: return "global_maxpool";
    }
    return "?";
}

const char* to_string(WeightQuant q) {
    switch (q) {
        case WeightQuant::Binary: return "binary";
        case WeightQuant::Ternary: return "ternary";
        case WeightQuant::Uniform: return "uniform";
        case WeightQuant::Rccm: return "rccm";
    }
    return "?";
}

const char* to_string(ActivationType a) {
    switch (a) {
        case ActivationType::Thresholds: return "thresholds";
        case ActivationType::Bipolar: return "bipolar";
        case ActivationType::Relu: return "relu";
        case ActivationType::None: return "none";
    }
    return "?";
}

const char* to_string(Datapath d) {
    switch (d) {
        case Datapath::XnorPopcount: return "xnor_popcount";
        case Datapath::AddSub: return "addsub";
        case Datapath::DspMac: return "dsp_mac";
        case Datapath::Rccm: return "rccm";
    }
    return "?";
}

const char* to_string(Encoding e) {
    switch (e) {
        case Encoding::Unsigned: return "unsigned";
        case Encoding::Signed: return "signed";
        case Encoding::Bipolar: return "bipolar";
        case Encoding::Accumulator: return "accumulator";
    }
    return "?";
}

}  // namespace qsim
