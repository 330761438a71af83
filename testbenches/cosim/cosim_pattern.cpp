#include "testbenches/cosim/cosim_pattern.hpp"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace qsim::cosim {

uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string part;
    while (std::getline(in, part, sep)) out.push_back(part);
    return out;
}

double probability(const std::string& s, const std::string& spec) {
    size_t used = 0;
    const double p = std::stod(s, &used);
    if (used != s.size() || p < 0.0 || p > 1.0)
        throw std::invalid_argument("pattern '" + spec + "': probability must be in [0, 1]");
    return p;
}

uint64_t count(const std::string& s, const std::string& spec, uint64_t min) {
    size_t used = 0;
    const unsigned long long v = std::stoull(s, &used);
    if (used != s.size() || v < min)
        throw std::invalid_argument("pattern '" + spec + "': bad cycle count '" + s + "'");
    return v;
}

// Uniform in [0, 1) from the hash of (seed, index).
double unit(uint64_t seed, uint64_t index) { return double(mix64(seed * 0x632be59bd9b4e019ull ^ index) >> 11) * 0x1p-53; }

}  // namespace

Pattern Pattern::parse(const std::string& spec, uint64_t seed) {
    Pattern p;
    p.spec_ = spec;
    p.seed_ = seed;
    const std::vector<std::string> f = split(spec, ':');
    try {
        if (f.size() == 1 && f[0] == "always") {
            p.kind_ = Kind::Always;
        } else if (f.size() == 2 && f[0] == "random") {
            p.kind_ = Kind::Random;
            p.p_ = probability(f[1], spec);
        } else if (f.size() == 3 && f[0] == "periodic") {
            p.kind_ = Kind::Periodic;
            p.on_ = count(f[1], spec, 1);
            p.off_ = count(f[2], spec, 0);
        } else if (f.size() == 3 && f[0] == "bursts") {
            p.kind_ = Kind::Bursts;
            p.p_ = probability(f[1], spec);
            p.len_ = count(f[2], spec, 1);
        } else {
            throw std::invalid_argument("");
        }
    } catch (const std::invalid_argument& e) {
        if (std::string(e.what()).empty() || std::string(e.what()) == "stod" || std::string(e.what()) == "stoull")
            throw std::invalid_argument("pattern '" + spec +
                                        "': expected always, random:P, periodic:ON:OFF or bursts:P:LEN");
        throw;
    }
    return p;
}

bool Pattern::at(uint64_t cycle) const {
    switch (kind_) {
        case Kind::Always: return true;
        case Kind::Random: return unit(seed_, cycle) < p_;
        case Kind::Periodic: return cycle % (on_ + off_) < on_;
        case Kind::Bursts: return unit(seed_, cycle / len_) < p_;
    }
    return true;
}

double Pattern::duty() const {
    switch (kind_) {
        case Kind::Always: return 1.0;
        case Kind::Random:
        case Kind::Bursts: return p_;
        case Kind::Periodic: return double(on_) / double(on_ + off_);
    }
    return 1.0;
}

}  // namespace qsim::cosim
