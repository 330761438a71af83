#include "testbenches/bench/compute_bound.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "models/common/rng.hpp"
#include "models/mvtu/mvtu_kernel.hpp"
#include "models/rccm/rccm_topology.hpp"

namespace qsim::bench {

namespace {

std::string operand_kind(const LayerConfig& l) {
    std::string w;
    switch (l.weights.quant) {
        case WeightQuant::Binary: w = "w1"; break;
        case WeightQuant::Ternary: w = "w2t"; break;
        case WeightQuant::Uniform: w = "w" + std::to_string(l.weights.bits); break;
        case WeightQuant::Rccm: w = std::string("rccm ") + rccm_name(l.weights.rccm); break;
    }
    std::string a;
    switch (l.in_encoding) {
        case Encoding::Bipolar: a = "a1"; break;
        case Encoding::Accumulator: a = "acc"; break;
        default: a = "a" + std::to_string(l.in_bits); break;
    }
    return w + " x " + a;
}

// A random code of the layer's input encoding (raw accumulators: small values).
int32_t random_code(Rng& rng, const LayerConfig& l) {
    switch (l.in_encoding) {
        case Encoding::Bipolar: return int32_t(rng.below(2));
        case Encoding::Signed: return int32_t(rng.below(uint32_t(1) << l.in_bits)) - (1 << (l.in_bits - 1));
        case Encoding::Accumulator: return int32_t(rng.below(2001)) - 1000;
        default: return int32_t(rng.below(uint32_t(1) << std::min(l.in_bits, 31)));
    }
}

}  // namespace

FrameBound measure_compute_bound(const NetworkConfig& net, const NetworkParams& params, int repeats) {
    FrameBound frame;
    Rng rng(12345);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const LayerConfig& l = net.layers[i];
        if (!l.is_compute()) continue;
        LayerBound b;
        b.layer = l.name;
        b.kind = operand_kind(l);
        b.special = l.has_special_unit();
        const int64_t pixels = l.type == LayerType::Conv ? int64_t(l.out.height) * l.out.width : 1;
        b.macs = double(pixels) * double(l.out.channels) * double(l.fan_in());
        MvtuKernel kernel(l, params.layers[i]);
        // Up to 32 distinct windows, cycled over the frame's pixels.
        const int batch = int(std::min<int64_t>(pixels, 32));
        std::vector<int32_t> windows(size_t(batch) * size_t(kernel.window_length()));
        for (auto& v : windows) v = random_code(rng, l);
        std::vector<int32_t> out(size_t(batch) * size_t(kernel.channels()));
        double best = 1e30;
        for (int r = 0; r < repeats; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            for (int64_t done = 0; done < pixels; done += batch)
                kernel.compute(windows.data(), int(std::min<int64_t>(batch, pixels - done)), out.data());
            best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        b.seconds = best;
        frame.macs += b.macs;
        frame.seconds += b.seconds;
        frame.macs_by_kind[b.kind] += b.macs;
        frame.layers.push_back(b);
    }
    return frame;
}

}  // namespace qsim::bench
