#include "models/rccm/rccm_quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace qsim {

namespace {

double max_abs(const std::vector<double>& v) {
    double m = 0.0;
    for (double x : v) m = std::max(m, std::fabs(x));
    return m;
}

bool contains_zero(const std::vector<int64_t>& set) {
    return std::find(set.begin(), set.end(), int64_t(0)) != set.end();
}

}  // namespace

RccmCodebook make_rccm_codebook(const RccmCircuit& circuit) {
    RccmCodebook book;
    book.select_bits = circuit.select_bits();
    book.by_select = rccm_coefficients_by_select(circuit);
    book.levels = book.by_select;
    std::sort(book.levels.begin(), book.levels.end());
    book.levels.erase(std::unique(book.levels.begin(), book.levels.end()), book.levels.end());
    book.level_select.assign(book.levels.size(), 0);
    // Walk the select codes downwards so the smallest index producing a level is kept.
    for (size_t s = book.by_select.size(); s-- > 0;) {
        const auto it = std::lower_bound(book.levels.begin(), book.levels.end(), book.by_select[s]);
        book.level_select[size_t(it - book.levels.begin())] = uint32_t(s);
    }
    return book;
}

double rccm_scale_for_range(const RccmCodebook& book, double max_abs_weight) {
    if (!(max_abs_weight > 0.0) || !std::isfinite(max_abs_weight))
        throw std::invalid_argument("RCCM scale: the weight range must be positive and finite");
    if (book.levels.empty()) throw std::invalid_argument("RCCM scale: empty codebook");
    const int64_t c_max = std::max(-book.levels.front(), book.levels.back());
    if (c_max == 0) throw std::invalid_argument("RCCM scale: the codebook has only the coefficient 0");
    return max_abs_weight / double(c_max);
}

uint32_t rccm_quantize(const RccmCodebook& book, double lambda, double w) {
    if (!std::isfinite(w)) throw std::invalid_argument("RCCM quantiser: weight is not finite");
    if (!(lambda > 0.0) || !std::isfinite(lambda))
        throw std::invalid_argument("RCCM quantiser: lambda must be positive and finite");
    if (book.levels.empty()) throw std::invalid_argument("RCCM quantiser: empty codebook");
    const std::vector<int64_t>& c = book.levels;
    // First level whose scaled value lies above w; the nearest is it or the one before.
    const auto above = std::partition_point(c.begin(), c.end(), [&](int64_t v) { return lambda * double(v) <= w; });
    if (above == c.begin()) return book.level_select.front();
    if (above == c.end()) return book.level_select.back();
    const size_t hi = size_t(above - c.begin()), lo = hi - 1;
    const double d_lo = w - lambda * double(c[lo]);
    const double d_hi = lambda * double(c[hi]) - w;
    size_t pick;
    if (d_lo != d_hi) pick = d_lo < d_hi ? lo : hi;
    else if (std::llabs(c[lo]) != std::llabs(c[hi])) pick = std::llabs(c[lo]) < std::llabs(c[hi]) ? lo : hi;
    else pick = hi;  // w = 0 between -c and +c
    return book.level_select[pick];
}

std::vector<uint8_t> rccm_quantize_weights(const RccmCodebook& book, double lambda, const std::vector<float>& w) {
    if (book.select_bits > 8) throw std::invalid_argument("RCCM quantiser: select codes wider than 8 bits");
    std::vector<uint8_t> codes(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
        try {
            codes[i] = uint8_t(rccm_quantize(book, lambda, double(w[i])));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string(e.what()) + " (weight " + std::to_string(i) + ")");
        }
    }
    return codes;
}

int64_t rccm_decode(const RccmCodebook& book, uint32_t select) {
    if (select >= book.by_select.size())
        throw std::invalid_argument("RCCM decode: select index " + std::to_string(select) + " outside the " +
                                    std::to_string(book.select_bits) + "-bit codebook");
    return book.by_select[select];
}

// ---------------------------------------------------------------------------------------
std::vector<double> rccm_histogram(const std::vector<double>& values, double range, int bins) {
    if (bins < 1) throw std::invalid_argument("RCCM histogram: needs at least one bin");
    if (!(range > 0.0) || !std::isfinite(range)) throw std::invalid_argument("RCCM histogram: range must be positive");
    std::vector<double> h(size_t(bins), 0.0);
    if (values.empty()) return h;
    const double width = 2.0 * range / bins;
    for (double v : values) {
        const double pos = std::floor((v + range) / width);
        const int bin = pos < 0.0 ? 0 : pos >= bins ? bins - 1 : int(pos);
        h[size_t(bin)] += 1.0;
    }
    for (double& x : h) x /= double(values.size());
    return h;
}

double rccm_kl_divergence(const std::vector<double>& p, const std::vector<double>& r, double epsilon) {
    if (p.size() != r.size()) throw std::invalid_argument("RCCM divergence: histograms differ in size");
    double r_total = 0.0;
    for (double x : r) r_total += x + epsilon;
    double d = 0.0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] <= 0.0) continue;
        d += p[i] * std::log(p[i] / ((r[i] + epsilon) / r_total));
    }
    return d;
}

double rccm_set_divergence(const std::vector<float>& weights, const std::vector<int64_t>& set,
                           const RccmKlOptions& options) {
    const std::vector<double> w(weights.begin(), weights.end());
    const std::vector<double> c(set.begin(), set.end());
    const double w_range = max_abs(w), c_range = max_abs(c);
    const std::vector<double> p = rccm_histogram(w, w_range > 0.0 ? w_range : 1.0, options.bins);
    const std::vector<double> r = rccm_histogram(c, c_range > 0.0 ? c_range : 1.0, options.bins);
    return rccm_kl_divergence(p, r, options.epsilon);
}

std::vector<RccmRankedSet> rccm_rank_sets(const std::vector<float>& weights,
                                          const std::vector<std::vector<int64_t>>& candidates,
                                          const RccmKlOptions& options) {
    std::vector<RccmRankedSet> ranked;
    ranked.reserve(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i)
        ranked.push_back({i, rccm_set_divergence(weights, candidates[i], options)});
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const RccmRankedSet& a, const RccmRankedSet& b) { return a.divergence < b.divergence; });
    return ranked;
}

size_t rccm_select_set(const std::vector<float>& weights, const std::vector<std::vector<int64_t>>& candidates,
                       int top_k, const RccmKlOptions& options) {
    if (candidates.empty()) throw std::invalid_argument("RCCM set selection: no candidate sets");
    if (top_k < 1) throw std::invalid_argument("RCCM set selection: top_k must be at least 1");
    std::vector<RccmRankedSet> top = rccm_rank_sets(weights, candidates, options);
    top.resize(std::min(top.size(), size_t(top_k)));
    const bool any_zero = std::any_of(top.begin(), top.end(),
                                      [&](const RccmRankedSet& r) { return contains_zero(candidates[r.index]); });
    size_t best = top.front().index;
    size_t best_size = 0;
    bool found = false;
    for (const RccmRankedSet& r : top) {  // in divergence order, so ties keep the smaller one
        const std::vector<int64_t>& set = candidates[r.index];
        if (any_zero && !contains_zero(set)) continue;
        if (!found || set.size() > best_size) {
            best = r.index;
            best_size = set.size();
            found = true;
        }
    }
    return best;
}

}  // namespace qsim
