#include "sim/design/layer_limits.hpp"

#include <algorithm>
#include <climits>
#include <vector>

#include "sim/design/text.hpp"

namespace qsim::design {

namespace {
constexpr i128 kMaxFmElements = INT_MAX;
constexpr i128 kU64Max = ~uint64_t(0);
}  // namespace

namespace {

// Whether any count could exceed its limit, without building the messages (a sweep derives
// many designs, nearly all within the limits).
bool within_limits(const LayerConfig& L) {
    const i128 hi = L.in.height, wi = L.in.width, ci = L.in.channels, ho = L.out.height, wo = L.out.width;
    const i128 n = L.out.channels, k = L.kernel, simd = L.folding.simd, pe = L.folding.pe, mmv = L.folding.mmv;
    const i128 reuse = L.reuse, kk = sat_mul(k, i128(L.kernel_cols()));
    i128 worst = 0;
    if (L.uses_swu()) {
        worst = std::max(worst, sat_mul(sat_mul(hi, ceil_div128(wi, L.swu_write_pixels)), ceil_div128(ci, simd)));
        worst = std::max(worst, sat_mul(sat_mul(sat_mul(sat_mul(ho, ceil_div128(wo, mmv)), kk), ceil_div128(ci, simd)), reuse));
        if (sat_mul(wo, sat_mul(kk, ci)) > kMaxFmElements) return false;
    }
    if (L.is_compute()) {
        const i128 fan_in = L.fan_in();
        const i128 pixels = L.type == LayerType::Conv ? sat_mul(ho, ceil_div128(wo, mmv)) : 1;
        worst = std::max(worst, sat_mul(sat_mul(sat_mul(pixels, ceil_div128(fan_in, simd)), ceil_div128(n, pe)), reuse));
        worst = std::max(worst, sat_mul(sat_mul(fan_in, n), sat_mul(ho, wo)));
    } else {
        worst = std::max(worst, sat_mul(sat_mul(sat_mul(ho, wo), kk), ci));
        worst = std::max(worst, sat_mul(sat_mul(hi, wi), ci));
    }
    return worst <= kU64Max;
}

}  // namespace

std::optional<std::string> layer_count_problem(const LayerConfig& L) {
    if (within_limits(L)) return std::nullopt;
    const i128 hi = L.in.height, wi = L.in.width, ci = L.in.channels;
    const i128 ho = L.out.height, wo = L.out.width, n = L.out.channels;
    const i128 k = L.kernel, kc = L.kernel_cols(), simd = L.folding.simd, pe = L.folding.pe, mmv = L.folding.mmv;
    const i128 reuse = L.reuse;
    // Formulas name the reuse factor only where there is one.
    const std::string reuse_factor = L.reuse > 1 ? " * reuse" : "";
    const std::string reuse_value = L.reuse > 1 ? " * " + std::to_string(L.reuse) : "";
    struct Count {
        const char* what;
        std::string formula;
        i128 value;
    };
    std::vector<Count> counts;
    auto num = [](i128 v) { return int_text(v); };
    if (L.uses_swu()) {
        const i128 wp = L.swu_write_pixels;
        counts.push_back({"sliding-window unit (input side) cycles per frame",
                          "H_in * ceil(W_in/P) * ceil(C/SIMD) = " + num(hi) + " * " + num(ceil_div128(wi, wp)) +
                              " * " + num(ceil_div128(ci, simd)),
                          sat_mul(sat_mul(hi, ceil_div128(wi, wp)), ceil_div128(ci, simd))});
        counts.push_back({"sliding-window unit (window side) cycles per frame",
                          "H_out * ceil(W_out/MMV) * K*K * ceil(C/SIMD)" + reuse_factor + " = " + num(ho) + " * " +
                              num(ceil_div128(wo, mmv)) + " * " + num(k) + "*" + num(kc) + " * " +
                              num(ceil_div128(ci, simd)) + reuse_value,
                          sat_mul(sat_mul(sat_mul(sat_mul(ho, ceil_div128(wo, mmv)), sat_mul(k, kc)),
                                          ceil_div128(ci, simd)),
                                  reuse)});
    }
    switch (L.type) {
        case LayerType::Conv:
        case LayerType::Fc: {
            const i128 fan_in = L.fan_in();
            const i128 pixels = L.type == LayerType::Conv ? sat_mul(ho, ceil_div128(wo, mmv)) : 1;
            counts.push_back({"MVTU cycles per frame",
                              "output pixel groups * ceil(fan_in/SIMD) * ceil(N/PE)" + reuse_factor + " = " +
                                  num(pixels) + " * " + num(ceil_div128(fan_in, simd)) + " * " +
                                  num(ceil_div128(n, pe)) + reuse_value,
                              sat_mul(sat_mul(sat_mul(pixels, ceil_div128(fan_in, simd)), ceil_div128(n, pe)),
                                      reuse)});
            counts.push_back({"multiply-accumulates per frame",
                              "fan_in * N * H_out * W_out = " + num(fan_in) + " * " + num(n) + " * " +
                                  num(ho) + " * " + num(wo),
                              sat_mul(sat_mul(fan_in, n), sat_mul(ho, wo))});
            break;
        }
        case LayerType::MaxPool:
        case LayerType::AvgPool:
            counts.push_back({"pooling unit cycles per frame",
                              "H_out * W_out * K*K * ceil(C/SIMD) = " + num(ho) + " * " + num(wo) + " * " +
                                  num(k) + "*" + num(kc) + " * " + num(ceil_div128(ci, simd)),
                              sat_mul(sat_mul(sat_mul(ho, wo), sat_mul(k, kc)), ceil_div128(ci, simd))});
            counts.push_back({"comparisons per frame",
                              "H_out * W_out * C * K*K = " + num(ho) + " * " + num(wo) + " * " + num(ci) +
                                  " * " + num(k) + "*" + num(kc),
                              sat_mul(sat_mul(sat_mul(ho, wo), ci), sat_mul(k, kc))});
            break;
        case LayerType::GlobalMaxPool:
        case LayerType::GlobalAvgPool:
            counts.push_back({"global pooling unit cycles per frame",
                              "H_in * W_in * ceil(C/SIMD) = " + num(hi) + " * " + num(wi) + " * " +
                                  num(ceil_div128(ci, simd)),
                              sat_mul(sat_mul(hi, wi), ceil_div128(ci, simd))});
            break;
        case LayerType::Add:
        case LayerType::Concat:
            counts.push_back({"adder / concatenation cycles per frame",
                              "H * W * ceil(C/SIMD) = " + num(hi) + " * " + num(wi) + " * " + num(ceil_div128(ci, simd)),
                              sat_mul(sat_mul(hi, wi), ceil_div128(ci, simd))});
            break;
        case LayerType::TopK: break;  // ceil(C/SIMD) + k, within 32 bits
    }
    for (const auto& cnt : counts)
        if (cnt.value > kU64Max)
            return "layer '" + L.name + "': its " + cnt.what + " " + cnt.formula + " = " + grouped_text(cnt.value) +
                   " does not fit in 64 bits (at most 18,446,744,073,709,551,615); use a smaller kernel or feature map";
    // The SWU emits one row of the image matrix at a time: W_out windows of K*K*C values,
    // held in memory like a feature map and under the same 2^31-1 limit.
    if (L.uses_swu()) {
        const i128 row = sat_mul(wo, sat_mul(sat_mul(k, kc), ci));
        if (row > kMaxFmElements)
            return "layer '" + L.name + "': its sliding-window unit would emit rows of W_out * K*K*C = " + num(wo) +
                   " * " + num(k) + "*" + num(kc) + "*" + num(ci) + " = " + grouped_text(row) +
                   " values, more than the 2,147,483,647 a row may hold; use a smaller kernel";
    }
    return std::nullopt;
}

}  // namespace qsim::design
