// Small deterministic random number generator (SplitMix64). Identical streams on every
// platform and compiler, unlike std:: distributions, so generated weights and inputs are
// reproducible bit for bit.
#pragma once

#include <cstdint>

namespace qsim {

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}

    // The k-th call (k = 1, 2, ...) returns finalize(seed + k * kGamma): a stream can also be
    // computed out of order (input_kernel does, a row of a frame at a time).
    static constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;
    static uint64_t finalize(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // below(n) of a value of the stream.
    static uint32_t scale_below(uint64_t value, uint32_t n) { return uint32_t((uint64_t(uint32_t(value >> 32)) * n) >> 32); }

    uint64_t next() { return finalize(state_ += kGamma); }
    // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < 2^-32 for n < 2^32).
    uint32_t below(uint32_t n) { return scale_below(next(), n); }
    // Uniform double in [0, 1).
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }

    // A derived, independent stream (for per-layer / per-frame generators).
    static uint64_t mix(uint64_t seed, uint64_t salt) {
        Rng r(seed ^ (salt * 0xD1B54A32D192ED03ull));
        r.next();
        return r.next();
    }

private:
    uint64_t state_;
};

}  // namespace qsim
