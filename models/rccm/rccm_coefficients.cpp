#include "models/rccm/rccm_coefficients.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace qsim {

namespace {

// ---------------------------------------------------------------------------------------
// 128-bit fingerprints of sorted coefficient sets and an open-addressing set of them.
struct Fingerprint {
    uint64_t hi = 0, lo = 0;
};

inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

Fingerprint fingerprint(const std::vector<int64_t>& v) {
    Fingerprint f{0x243F6A8885A308D3ull ^ v.size(), 0x13198A2E03707344ull + 31 * v.size()};
    for (int64_t x : v) {
        const uint64_t u = uint64_t(x);
        f.hi = mix64(f.hi + u * 0x9E3779B97F4A7C15ull);
        f.lo = mix64((f.lo ^ u) + 0xD1B54A32D192ED03ull);
    }
    if (f.hi == 0 && f.lo == 0) f.lo = 1;  // (0, 0) marks an empty slot
    return f;
}

class FingerprintSet {
public:
    FingerprintSet() : slots_(1024) {}

    // True when f was not in the set yet.
    bool insert(Fingerprint f) {
        if (2 * (used_ + 1) > slots_.size()) grow();
        if (!place(slots_, f)) return false;
        ++used_;
        return true;
    }

private:
    static bool place(std::vector<Fingerprint>& slots, Fingerprint f) {
        const size_t mask = slots.size() - 1;
        for (size_t i = size_t(f.hi) & mask;; i = (i + 1) & mask) {
            Fingerprint& slot = slots[i];
            if (slot.hi == 0 && slot.lo == 0) {
                slot = f;
                return true;
            }
            if (slot.hi == f.hi && slot.lo == f.lo) return false;
        }
    }
    void grow() {
        std::vector<Fingerprint> bigger(2 * slots_.size());
        for (const Fingerprint& f : slots_)
            if (f.hi != 0 || f.lo != 0) place(bigger, f);
        slots_.swap(bigger);
    }

    std::vector<Fingerprint> slots_;
    size_t used_ = 0;
};

// Collects the outputs of one stage parameterisation and gives the distinct ones with a
// fingerprint. Small value ranges (all of 2/3/4-Add with phi_max = 3) use a bitmap, which
// is canonical without sorting; larger ones sort.
class SetBuilder {
public:
    explicit SetBuilder(int64_t bound)
        : offset_(bound), bitmap_(2 * bound + 1 <= kMaxBitmapBits) {
        if (bitmap_) words_.assign(size_t((2 * bound + 1 + 63) / 64), 0);
    }

    void add(int64_t v) {
        if (!bitmap_) {
            values_.push_back(v);
            return;
        }
        const uint64_t bit = uint64_t(v + offset_);
        const size_t w = size_t(bit >> 6);
        words_[w] |= uint64_t(1) << (bit & 63);
        lo_ = std::min(lo_, w);
        hi_ = std::max(hi_, w);
    }

    Fingerprint fingerprint() {
        if (!bitmap_) {
            std::sort(values_.begin(), values_.end());
            values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
            return qsim::fingerprint(values_);
        }
        Fingerprint f{0x452821E638D01377ull ^ lo_, 0xBE5466CF34E90C6Cull ^ hi_};
        for (size_t w = lo_; w <= hi_ && lo_ <= hi_; ++w) {
            f.hi = mix64(f.hi + words_[w] * 0x9E3779B97F4A7C15ull);
            f.lo = mix64((f.lo ^ words_[w]) + 0xD1B54A32D192ED03ull);
        }
        if (f.hi == 0 && f.lo == 0) f.lo = 1;
        return f;
    }

    // Number of distinct values (unchanged by scaling a set).
    size_t size() {
        if (!bitmap_) {
            std::sort(values_.begin(), values_.end());
            values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
            return values_.size();
        }
        size_t n = 0;
        for (size_t w = lo_; w <= hi_ && lo_ <= hi_; ++w) n += size_t(__builtin_popcountll(words_[w]));
        return n;
    }

    // The distinct values, ascending (after fingerprint()).
    const std::vector<int64_t>& sorted() {
        if (!bitmap_) return values_;
        values_.clear();
        for (size_t w = lo_; w <= hi_ && lo_ <= hi_; ++w)
            for (uint64_t bits = words_[w]; bits != 0; bits &= bits - 1)
                values_.push_back(int64_t(w * 64 + size_t(__builtin_ctzll(bits))) - offset_);
        return values_;
    }

    void reset() {
        if (!bitmap_) {
            values_.clear();
            return;
        }
        for (size_t w = lo_; w <= hi_ && lo_ <= hi_; ++w) words_[w] = 0;
        lo_ = SIZE_MAX;
        hi_ = 0;
    }

private:
    static constexpr int64_t kMaxBitmapBits = int64_t(1) << 15;
    int64_t offset_;
    bool bitmap_;
    std::vector<uint64_t> words_;
    size_t lo_ = SIZE_MAX, hi_ = 0;
    std::vector<int64_t> values_;
};

// ---------------------------------------------------------------------------------------
// Every parameterisation of one stage: topology A has four mapping functions and four
// shifts, topology B one mapping function and three shifts.
std::vector<RccmStage> stage_variants(const RccmStage& wiring, const RccmSearchSpace& space) {
    std::vector<RccmStage> out;
    const int first_max = space.first_shift_zero ? 0 : space.phi_max;
    const bool is_a = wiring.topology == RccmTopology::A;
    const int ops = is_a ? 4 : 1;
    const int last_phi_max = is_a ? space.phi_max : 0;
    for (int op = 0; op < ops; ++op)
        for (int p0 = 0; p0 <= first_max; ++p0)
            for (int p1 = 0; p1 <= space.phi_max; ++p1)
                for (int p2 = 0; p2 <= space.phi_max; ++p2)
                    for (int p3 = 0; p3 <= last_phi_max; ++p3) {
                        RccmStage st = wiring;
                        st.last_op = RccmLastOp(is_a ? op : 0);
                        st.phi = {uint8_t(p0), uint8_t(p1), uint8_t(p2), uint8_t(p3)};
                        out.push_back(st);
                    }
    return out;
}

// The enumeration needs each stage's output to feed one later stage only (a tree), so that
// the select codes of a stage's two sources are independent and a stage's output set
// depends only on the sets of its sources (both inputs of a stage may share one source).
void check_tree(const RccmCircuit& wiring, int phi_max) {
    validate_rccm_circuit(wiring);
    if (phi_max < 0 || phi_max > kRccmMaxShift)
        throw std::invalid_argument("RCCM search: phi_max must be 0.." + std::to_string(kRccmMaxShift));
    const size_t n = wiring.stages.size();
    std::vector<int> consumers(n, 0);
    for (size_t i = 0; i < n; ++i) {
        const RccmStage& st = wiring.stages[i];
        if (st.a_source != kRccmInput) ++consumers[size_t(st.a_source)];
        if (st.b_source != kRccmInput && st.b_source != st.a_source) ++consumers[size_t(st.b_source)];
    }
    for (size_t i = 0; i + 1 < n; ++i)
        if (consumers[i] != 1)
            throw std::invalid_argument("RCCM search: stage " + std::to_string(i) +
                                        " must feed exactly one later stage");
}

// Largest |output| of each stage for x = 1 (|A_p| + |B1| at the largest shift).
std::vector<int64_t> stage_bounds(const RccmCircuit& wiring, int phi_max) {
    std::vector<int64_t> bound(wiring.stages.size(), 0);
    for (size_t i = 0; i < bound.size(); ++i) {
        const RccmStage& st = wiring.stages[i];
        const int64_t a = st.a_source == kRccmInput ? 1 : bound[size_t(st.a_source)];
        const int64_t b = st.b_source == kRccmInput ? 1 : bound[size_t(st.b_source)];
        if (a + b > (int64_t(1) << (61 - phi_max)))
            throw std::invalid_argument("RCCM search: coefficients would overflow 64 bits");
        bound[i] = (a + b) << phi_max;
    }
    return bound;
}

// A distinct output set of a stage and the stage parameters that produced it.
struct CapturedSet {
    std::vector<int64_t> values;
    std::vector<RccmStage> stages;
};

using SetSink = std::function<void(const std::vector<int64_t>&)>;

class Enumerator {
public:
    Enumerator(const RccmCircuit& wiring, const RccmSearchSpace& space)
        : current_(wiring), subtree_(wiring.stages.size()), bound_(stage_bounds(wiring, space.phi_max)) {
        for (size_t i = 0; i < wiring.stages.size(); ++i) {
            variants_.push_back(stage_variants(wiring.stages[i], space));
            const RccmStage& st = wiring.stages[i];
            if (st.a_source != kRccmInput) append_subtree(i, st.a_source);
            if (st.b_source != kRccmInput && st.b_source != st.a_source) append_subtree(i, st.b_source);
            subtree_[i].push_back(int(i));
        }
    }

    const RccmCircuit& current() const { return current_; }

    // Restricts the output stage to the sets whose size is `pass` modulo `passes`.
    void set_pass(int pass, int passes) {
        pass_ = pass;
        passes_ = passes;
    }

    // Calls sink once per distinct output set of stage k; when it is called, current()
    // holds the parameters of every stage feeding k that produced the set.
    void stream(int k, const SetSink& sink) {
        const RccmStage& st = current_.stages[size_t(k)];
        const int a = st.a_source, b = st.b_source;
        const bool shared = a == b;
        // The later of the two stage sources is streamed, the other materialised.
        const int streamed = std::max(a, b);
        const int listed = shared ? kRccmInput : std::min(a, b);
        std::vector<CapturedSet> list;
        if (listed != kRccmInput) list = materialize(listed);
        FingerprintSet seen;
        SetBuilder builder(bound_[size_t(k)]);
        const std::vector<int64_t> input{1};

        auto body = [&](const std::vector<int64_t>& streamed_set) {
            const size_t entries = list.empty() ? 1 : list.size();
            for (size_t e = 0; e < entries; ++e) {
                const std::vector<int64_t>* listed_set = &input;
                if (!list.empty()) {
                    for (int j : subtree_[size_t(listed)]) current_.stages[size_t(j)] = list[e].stages[size_t(j)];
                    listed_set = &list[e].values;
                }
                const std::vector<int64_t>& ya = a == streamed ? streamed_set : *listed_set;
                const std::vector<int64_t>& yb = b == streamed ? streamed_set : *listed_set;
                for (const RccmStage& variant : variants_[size_t(k)]) {
                    builder.reset();
                    for (size_t i = 0; i < ya.size(); ++i)
                        for (size_t j = 0; j < yb.size(); ++j) {
                            if (shared && a != kRccmInput && i != j) continue;
                            for (unsigned s = 0; s < 4; ++s) builder.add(rccm_stage_output(variant, s, ya[i], yb[j]));
                        }
                    if (k == output_ && passes_ > 1 && int(builder.size() % size_t(passes_)) != pass_) continue;
                    if (!seen.insert(builder.fingerprint())) continue;
                    current_.stages[size_t(k)] = variant;
                    sink(builder.sorted());
                }
            }
        };
        if (streamed == kRccmInput) body(input);
        else stream(streamed, body);
    }

    std::vector<CapturedSet> materialize(int k) {
        std::vector<CapturedSet> out;
        stream(k, [&](const std::vector<int64_t>& set) { out.push_back({set, current_.stages}); });
        return out;
    }

private:
    void append_subtree(size_t i, int source) {
        for (int j : subtree_[size_t(source)]) subtree_[i].push_back(j);
    }

    RccmCircuit current_;
    std::vector<std::vector<int>> subtree_;  // the stages feeding stage i, and i itself
    std::vector<std::vector<RccmStage>> variants_;
    std::vector<int64_t> bound_;
    int output_ = int(current_.stages.size()) - 1;
    int pass_ = 0, passes_ = 1;
};

// The set divided by the gcd of its elements (its representative up to scale).
std::vector<int64_t> primitive(const std::vector<int64_t>& set) {
    int64_t g = 0;
    for (int64_t v : set) g = std::gcd(g, v < 0 ? -v : v);
    if (g <= 1) return set;
    std::vector<int64_t> out(set.size());
    for (size_t i = 0; i < set.size(); ++i) out[i] = set[i] / g;
    return out;
}

}  // namespace

uint64_t rccm_circuit_count(const RccmCircuit& wiring, const RccmSearchSpace& space) {
    uint64_t n = 1;
    for (const RccmStage& st : wiring.stages) n *= stage_variants(st, space).size();
    return n;
}

RccmSetCounts rccm_enumerate_sets(const RccmCircuit& wiring, const RccmSearchSpace& space,
                                  const RccmSetVisitor& visit, int passes) {
    check_tree(wiring, space.phi_max);
    if (passes < 1) throw std::invalid_argument("RCCM search: passes must be at least 1");
    RccmSetCounts counts;
    counts.circuits = rccm_circuit_count(wiring, space);
    Enumerator e(wiring, space);
    // Scaling keeps a set's size, so each pass holds whole classes of sets equal up to scale.
    for (int pass = 0; pass < passes; ++pass) {
        e.set_pass(pass, passes);
        FingerprintSet scaled;
        e.stream(int(wiring.stages.size()) - 1, [&](const std::vector<int64_t>& set) {
            const bool zero = std::binary_search(set.begin(), set.end(), int64_t(0));
            ++counts.sets;
            if (zero) ++counts.sets_with_zero;
            if (scaled.insert(fingerprint(primitive(set)))) {
                ++counts.sets_up_to_scale;
                if (zero) ++counts.sets_up_to_scale_with_zero;
            }
            if (visit) visit(e.current(), set);
        });
    }
    return counts;
}

uint64_t rccm_published_unique_sets(RccmKind kind) {
    switch (kind) {
        case RccmKind::Add2: return 1145;
        case RccmKind::Add3: return 44198;
        case RccmKind::Add4: return 4040952;
    }
    return 0;
}

}  // namespace qsim
