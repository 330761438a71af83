#include "sim/design/folding_rules.hpp"

#include <algorithm>
#include <cmath>

namespace qsim {

namespace {

RuleViolation violation(std::string field, std::string message) { return {std::move(field), std::move(message)}; }

std::string got(int v) { return " (got " + std::to_string(v) + ")"; }

}  // namespace

Datapath derive_datapath(WeightQuant weights, Encoding input) {
    if (weights == WeightQuant::Rccm) return Datapath::Rccm;
    if (weights == WeightQuant::Uniform) return Datapath::DspMac;
    if (weights == WeightQuant::Binary && input == Encoding::Bipolar) return Datapath::XnorPopcount;
    return Datapath::AddSub;
}

int64_t derive_output_channels(const LayerConfig& l, int pe) {
    const int g = l.groups;
    if (l.prune == 0.0 && !l.grow_to_pe) return l.filters;
    const double per = double(l.filters) * (1.0 - l.prune) / (double(g) * double(pe));
    double k = l.prune_round == PruneRound::Up     ? std::ceil(per - 1e-9)
               : l.prune_round == PruneRound::Down ? std::floor(per + 1e-9)
                                                   : std::floor(per + 0.5);
    k = std::max(1.0, k);
    const double n = k * double(g) * double(pe);
    return n > 9.0e18 ? INT64_MAX : int64_t(n);
}

std::optional<RuleViolation> check_folding(const LayerConfig& l) {
    const Folding& f = l.folding;
    const int n = l.out.channels;
    const std::string grow_hint = "; grow_to_pe: true rounds the filters up to a multiple)";
    const bool pe_free = l.prune > 0.0 || l.grow_to_pe;  // N was rounded to fit the PEs
    switch (l.type) {
        case LayerType::Conv: {
            if (l.is_depthwise()) {
                // The vector-vector unit: PE over the channels, SIMD over the kernel positions.
                const int area = l.window_area();
                if (area % f.simd != 0)
                    return violation("folding.simd", std::string("must divide the kernel positions ") +
                                                         (l.one_d ? "K" : "K x K") + " = " +
                                                         std::to_string(area) + " of a depthwise layer" + got(f.simd));
                if (n % f.pe != 0)
                    return violation("folding.pe", "must divide the channels = " + std::to_string(n) +
                                                       " of a depthwise layer" + got(f.pe));
                if (l.out.width % f.mmv != 0)
                    return violation("folding.mmv", "must divide the output width = " + std::to_string(l.out.width) +
                                                        got(f.mmv));
                return std::nullopt;
            }
            const int cpg = l.in.channels / l.groups;
            if (cpg % f.simd != 0)
                return violation("folding.simd", "must divide in_channels/groups = " + std::to_string(cpg) + got(f.simd));
            if (!pe_free && (n / l.groups) % f.pe != 0)
                return violation("folding.pe", "must divide out_channels/groups = " + std::to_string(n / l.groups) +
                                                   " (got " + std::to_string(f.pe) + grow_hint);
            if (l.out.width % f.mmv != 0)
                return violation("folding.mmv", "must divide the output width = " + std::to_string(l.out.width) +
                                                    got(f.mmv));
            return std::nullopt;
        }
        case LayerType::Fc: {
            const int64_t fan_in = l.in.elements();
            if (fan_in % f.simd != 0)
                return violation("folding.simd", "must divide fan_in = " + std::to_string(fan_in) + got(f.simd));
            if (!pe_free && n % f.pe != 0)
                return violation("folding.pe", "must divide out_channels = " + std::to_string(n) + " (got " +
                                                   std::to_string(f.pe) + grow_hint);
            if (f.mmv != 1) return violation("folding.mmv", "must be 1 for fc layers" + got(f.mmv));
            return std::nullopt;
        }
        case LayerType::MaxPool:
        case LayerType::AvgPool:
        case LayerType::GlobalMaxPool:
        case LayerType::GlobalAvgPool:
        case LayerType::Add:
        case LayerType::Concat:
        case LayerType::TopK: {
            const std::string t = to_string(l.type);
            if (f.pe != 1) return violation("folding.pe", "must be 1 for " + t + " layers" + got(f.pe));
            if (f.mmv != 1) return violation("folding.mmv", "must be 1 for " + t + " layers" + got(f.mmv));
            if (l.type == LayerType::Concat) {
                if (l.out.channels % f.simd != 0)
                    return violation("folding.simd", "must divide the output channels = " +
                                                         std::to_string(l.out.channels) + got(f.simd));
                return std::nullopt;
            }
            if (l.in.channels % f.simd != 0)
                return violation("folding.simd",
                                 "must divide in_channels = " + std::to_string(l.in.channels) + got(f.simd));
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<RuleViolation> check_reuse(const LayerConfig& l) {
    if (l.reuse <= 1) return std::nullopt;
    if (l.type != LayerType::Conv)
        return violation("reuse",
                         "PE reuse applies to conv layers; for an fc layer fewer PEs are the same as more neuron "
                         "folds: lower folding.pe instead");
    if (l.folding.pe % l.reuse != 0)
        return violation("reuse", "reuse " + std::to_string(l.reuse) + " must divide folding.pe = " +
                                      std::to_string(l.folding.pe) + " (the PE array of pe / reuse PEs is time-shared " +
                                      std::to_string(l.reuse) + " ways)");
    return std::nullopt;
}

std::optional<RuleViolation> check_accumulator(const LayerConfig& l) {
    if (!l.is_compute()) return std::nullopt;
    const int64_t max_w = l.max_abs_weight();
    const int64_t max_x = l.max_abs_input();
    const __int128 fan_in = l.fan_in();
    const int64_t max_s = l.max_scale();  // SYQ row/pixel factors scale the sub-dot products
    const __int128 max_acc = fan_in * max_w * max_x * max_s;
    if (max_acc < (__int128(1) << 31)) return std::nullopt;
    auto text = [](__int128 v) {
        std::string s;
        if (v == 0) return std::string("0");
        while (v > 0) {
            s.insert(s.begin(), char('0' + int(v % 10)));
            v /= 10;
        }
        return s;
    };
    return violation("", "layer '" + l.name + "': the accumulator can overflow: fan_in " + text(fan_in) +
                             " * max|weight| " + std::to_string(max_w) + " * max|input| " + std::to_string(max_x) +
                             (max_s > 1 ? " * max scaling factor " + std::to_string(max_s) : std::string()) +
                             " = " + text(max_acc) + " must be < 2^31 = 2147483648");
}

}  // namespace qsim
