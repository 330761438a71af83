// Small deterministic random number generator (SplitMix64). Identical streams on every
// platform and compiler, unlike std:: distributions, so generated weights and inputs are
// reproducible bit for bit.
#pragma once

#include <cstdint>

namespace qsim {

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < 2^-32 for n < 2^32).
    uint32_t below(uint32_t n) { return uint32_t((uint64_t(uint32_t(next() >> 32)) * n) >> 32); }
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
