#include "testbenches/cosim/pe_array_faces.hpp"

#include <algorithm>
#include <stdexcept>

#include "testbenches/cosim/cosim_pattern.hpp"

namespace qsim::cosim {

PeStimulus::PeStimulus(const PeArrayShape& shape, const LayerParams& params, const RunOptions& o)
    : shape_(shape), layer_(pe_array_layer(shape)), params_(params), memory_(layer_, params_) {
    const int64_t f = shape.fan_in();
    std::ostringstream s;
    if (o.stimulus == "extremes") {
        const size_t len = static_cast<size_t>(f);
        std::vector<int32_t> plus(len, 1), minus(len, 0), w0(len), nw0(len), alt(len);
        for (int64_t i = 0; i < f; ++i) {
            w0[size_t(i)] = params.weights[size_t(i)] > 0 ? 1 : 0;
            nw0[size_t(i)] = 1 - w0[size_t(i)];
            alt[size_t(i)] = int32_t(i & 1);
        }
        vectors_ = {plus, minus, w0, nw0, alt};
        s << "5 extreme vectors (all +1, all -1, channel 0's weights, their negation, alternating), then ";
    } else if (o.stimulus != "random") {
        throw std::invalid_argument("PE array stimulus must be extremes or random, not '" + o.stimulus + "'");
    }
    const uint64_t per_vector = uint64_t(shape.synapse_folds) * uint64_t(shape.neuron_folds);
    const uint64_t random = o.cycles > 0 ? o.cycles / per_vector + 1 : o.count;
    for (uint64_t v = 0; v < random; ++v) {
        std::vector<int32_t> codes(static_cast<size_t>(f));
        for (int64_t i = 0; i < f; i += 64) {
            const uint64_t r = mix64(o.seed * 0x9e3779b97f4a7c15ull ^ (v << 16 | uint64_t(i / 64)));
            for (int64_t k = i; k < std::min(f, i + 64); ++k) codes[size_t(k)] = int32_t((r >> (k - i)) & 1u);
        }
        vectors_.push_back(std::move(codes));
    }
    s << random << " random vectors (seed " << o.seed << "), each " << shape.neuron_folds << " folds x "
      << shape.synapse_folds << " beats";
    summary_ = s.str();
}

std::string format_pe(const PeOut& o) {
    std::ostringstream s;
    for (size_t p = 0; p < o.acc.size(); ++p) s << (p ? " " : "") << "pe" << p << "=" << o.acc[p] << "/" << o.code[p];
    s << " (acc/code)";
    return s.str();
}

}  // namespace qsim::cosim
